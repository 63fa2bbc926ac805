import { Types } from 'mongoose';
import * as coops from '../coops';
import { coopExists, type CoopRow, type CoopTransition } from '../coops';
import { catalogChanged } from '../catalog';
import { findUserByEmail, usersByIds } from '../accounts';
import { CommissionRateModel } from '../payouts/commission.model';
import type { CommissionRates } from '../payouts';
import { AppError, notFound } from '../platform/errors';
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
  await audit(actorId, `coop.${action}`, `coop:${coopId}`, { status: before.status, rejectionReason: before.rejectionReason }, { status: after.status, rejectionReason: after.rejectionReason });
  await catalogChanged();
  return after;
}

export interface RateRow {
  id: string;
  coopId: string | null;
  coopName: string;
  bps: number;
  effectiveFrom: Date;
  note: string;
  inForce: boolean;
}

/** Every commission rate, newest first, marking the ones in force now. */
export async function listCommissionRates(now = new Date()): Promise<RateRow[]> {
  const [rates, names0] = await Promise.all([
    CommissionRateModel.find({}, { coop: 1, bps: 1, effectiveFrom: 1, note: 1 }).lean(),
    coops.coopNames(),
  ]);
  const names = new Map(names0.map((c) => [c.id, c.name]));
  const inForce = new Set<string>();
  const byParty = new Map<string, typeof rates>();
  for (const r of rates) {
    const k = r.coop ? String(r.coop) : '';
    byParty.set(k, [...(byParty.get(k) ?? []), r]);
  }
  for (const list of byParty.values()) {
    const current = list.filter((r) => r.effectiveFrom <= now).sort((a, b) => +b.effectiveFrom - +a.effectiveFrom)[0];
    if (current) inForce.add(String(current._id));
  }
  return rates
    .map((r) => ({
      id: String(r._id),
      coopId: r.coop ? String(r.coop) : null,
      coopName: r.coop ? names.get(String(r.coop)) ?? '' : '',
      bps: r.bps,
      effectiveFrom: r.effectiveFrom,
      note: r.note ?? '',
      inForce: inForce.has(String(r._id)),
    }))
    .sort((a, b) => +b.effectiveFrom - +a.effectiveFrom);
}

/**
 * Adds a rate (the platform default when `coopId` is null) from a date on.
 * Rates are only added, never edited: orders already placed keep the rate
 * they snapshotted, so a change never touches them.
 */
export async function addCommissionRate(actorId: string, input: { coopId: string | null; bps: number; effectiveFrom: Date; note: string }, rates: Pick<CommissionRates, 'changed'>): Promise<RateRow> {
  if (!Number.isInteger(input.bps) || input.bps < 0 || input.bps > 5000) throw new AppError('commission_out_of_range', 'Commission must be 0–50%', 422);
  if (input.coopId && !(await coopExists(input.coopId))) throw notFound('coop_not_found', 'No such co-op');
  const doc = await CommissionRateModel.create({
    coop: input.coopId ? new Types.ObjectId(input.coopId) : null,
    bps: input.bps,
    effectiveFrom: input.effectiveFrom,
    note: input.note,
    createdBy: new Types.ObjectId(actorId),
  });
  rates.changed();
  await audit(actorId, 'commission.add', input.coopId ? `coop:${input.coopId}` : 'platform', null, { bps: doc.bps, effectiveFrom: doc.effectiveFrom, note: doc.note });
  return { id: String(doc._id), coopId: input.coopId, coopName: '', bps: doc.bps, effectiveFrom: doc.effectiveFrom, note: doc.note ?? '', inForce: doc.effectiveFrom <= new Date() };
}

const PAGE = 50;

/** The audit log, newest first, filtered by actor email, action prefix and date range. */
export async function listAudit(f: AuditFilter): Promise<{ entries: { id: string; actorEmail: string; action: string; target: string; before: string; after: string; at: Date }[]; page: number; pages: number; total: number; actions: string[] }> {
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
    AuditEntryModel.find(filter).sort({ at: -1 }).skip((f.page - 1) * PAGE).limit(PAGE).lean(),
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
