import { Types } from 'mongoose';
import * as coops from '../coops';
import { type CoopRow, type CoopTransition } from '../coops';
import { catalogChanged } from '../catalog';
import { findUserByEmail, usersByIds } from '../accounts';
import { trusted } from '../platform/db';
import { audit } from '../platform/audit';
import { AuditEntryModel } from '../platform/audit.model';
import type { AuditFilter } from './admin.schemas';

/**
 * Moves a co-op between states (see coops' changeCoopStatus), records it in
 * the audit log, and drops (or shows again) the co-op's goods in the shop.
 */
export async function changeCoopStatus(actorId: string, coopId: string, action: CoopTransition, reason = ''): Promise<CoopRow> {
  const { before, after } = await coops.changeCoopStatus(coopId, action, reason);
  await audit(
    actorId,
    `coop.${action}`,
    `coop:${coopId}`,
    { status: before.status, rejectionReason: before.rejectionReason },
    { status: after.status, rejectionReason: after.rejectionReason },
  );
  await catalogChanged();
  return after;
}

const PAGE = 50;

/** The audit log, newest first, filtered by actor email, action prefix and date range. */
export async function listAudit(f: AuditFilter): Promise<{
  entries: { id: string; actorEmail: string; action: string; target: string; before: string; after: string; at: Date }[];
  page: number;
  pages: number;
  total: number;
  actions: string[];
}> {
  const filter: Record<string, unknown> = {};
  const at: Record<string, Date> = {};
  if (f.from) at.$gte = new Date(`${f.from}T00:00:00Z`);
  if (f.to) at.$lt = new Date(new Date(`${f.to}T00:00:00Z`).getTime() + 86_400_000);
  if (Object.keys(at).length) filter.at = trusted(at);
  if (f.action) filter.action = f.action;
  if (f.actor) {
    // Entries name their actor by id; the oldest ones carry the e-mail they were written with.
    const user = await findUserByEmail(f.actor.toLowerCase());
    filter.$or = [{ actorEmail: f.actor.toLowerCase() }, ...(user ? [{ actor: new Types.ObjectId(user.id) }] : [])];
  }
  const [total, docs, actions] = await Promise.all([
    AuditEntryModel.countDocuments(filter),
    AuditEntryModel.find(filter)
      .sort({ at: -1 })
      .skip((f.page - 1) * PAGE)
      .limit(PAGE)
      .lean(),
    AuditEntryModel.distinct('action'),
  ]);
  const actors = await usersByIds(docs.filter((d) => d.actor && !d.actorEmail).map((d) => d.actor!));
  return {
    entries: docs.map((d) => ({
      id: String(d._id),
      actorEmail: d.actorEmail || (d.actor ? actors.get(String(d.actor))?.email : undefined) || '—',
      action: d.action,
      target: d.target,
      before: d.before == null ? '' : JSON.stringify(d.before),
      after: d.after == null ? '' : JSON.stringify(d.after),
      at: d.at,
    })),
    page: f.page,
    pages: Math.max(1, Math.ceil(total / PAGE)),
    total,
    actions: (actions as string[]).sort(),
  };
}
