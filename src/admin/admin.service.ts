import { Types } from 'mongoose';
import { CoopModel } from '../coops/coop.model';
import { catalogChanged } from '../catalog';
import { CommissionRateModel } from '../payouts/commission.model';
import { commissionRatesChanged } from '../payouts/commission.service';
import { AppError, conflict, notFound } from '../platform/errors';
import { trusted } from '../platform/db';
import { audit } from './audit';
import { AuditEntryModel } from './audit.model';
import type { AuditFilter } from './admin.schemas';

/** What a co-op row on the admin pages shows. */
export interface CoopRow {
  id: string;
  name: string;
  slug: string;
  status: string;
  region: string;
  town: string;
  kind: string;
  createdAt?: Date;
  rejectionReason: string;
  stripeAccountId: string;
  payouts: { transfersActive: boolean; payoutsEnabled: boolean; detailsSubmitted: boolean; currentlyDue: string[]; pastDue: string[]; disabledReason: string };
}

const COOP_FIELDS = { name: 1, slug: 1, status: 1, region: 1, town: 1, kind: 1, createdAt: 1, rejectionReason: 1, stripeAccountId: 1, payouts: 1 } as const;

function toRow(c: Record<string, unknown> & { _id: Types.ObjectId }): CoopRow {
  const p = (c.payouts ?? {}) as Partial<CoopRow['payouts']>;
  return {
    id: String(c._id),
    name: String(c.name ?? ''),
    slug: String(c.slug ?? ''),
    status: String(c.status ?? ''),
    region: String(c.region ?? ''),
    town: String(c.town ?? ''),
    kind: String(c.kind ?? ''),
    createdAt: c.createdAt as Date | undefined,
    rejectionReason: String(c.rejectionReason ?? ''),
    stripeAccountId: String(c.stripeAccountId ?? ''),
    payouts: {
      transfersActive: !!p.transfersActive,
      payoutsEnabled: !!p.payoutsEnabled,
      detailsSubmitted: !!p.detailsSubmitted,
      currentlyDue: p.currentlyDue ?? [],
      pastDue: p.pastDue ?? [],
      disabledReason: p.disabledReason ?? '',
    },
  };
}

/** Every co-op, the applications first (oldest first), then the rest by name. */
export async function listCoops(): Promise<{ pending: CoopRow[]; others: CoopRow[] }> {
  const all = (await CoopModel.find({}, COOP_FIELDS).lean()).map((c) => toRow(c as never));
  const pending = all.filter((c) => c.status === 'pending').sort((a, b) => +(a.createdAt ?? 0) - +(b.createdAt ?? 0));
  const others = all.filter((c) => c.status !== 'pending').sort((a, b) => a.name.localeCompare(b.name));
  return { pending, others };
}

export async function getCoopRow(coopId: string): Promise<CoopRow> {
  const c = await CoopModel.findById(coopId, COOP_FIELDS).lean();
  if (!c) throw notFound('coop_not_found', 'No such co-op');
  return toRow(c as never);
}

/** Pending co-ops waiting for a decision, for the overview. */
export async function pendingCoopCount(): Promise<number> {
  return CoopModel.countDocuments({ status: 'pending' });
}

type Transition = 'approve' | 'reject' | 'pause' | 'resume';
const ALLOWED: Record<Transition, { from: string[]; to: string }> = {
  approve: { from: ['pending', 'rejected'], to: 'approved' },
  reject: { from: ['pending'], to: 'rejected' },
  pause: { from: ['approved'], to: 'paused' },
  resume: { from: ['paused'], to: 'approved' },
};

/**
 * Moves a co-op between states (approve, reject with a reason the applicant
 * sees, pause, resume). The update is conditional on the status read, so a
 * decision made on a stale page is refused (on FerretDB this guard is a
 * read-modify-write, which is acceptable here: both admins would set the
 * same status, and each action is in the audit log).
 * A paused co-op's goods leave the shop; its open orders continue.
 */
export async function changeCoopStatus(actorId: string, coopId: string, action: Transition, reason = ''): Promise<CoopRow> {
  const before = await getCoopRow(coopId);
  const rule = ALLOWED[action];
  if (!rule.from.includes(before.status)) throw conflict('coop_status_conflict', `Cannot ${action} a ${before.status} co-op`);
  const set: Record<string, unknown> = { status: rule.to };
  if (action === 'approve') Object.assign(set, { approvedAt: new Date(), rejectionReason: '' });
  if (action === 'reject') set.rejectionReason = reason;
  const res = await CoopModel.updateOne({ _id: new Types.ObjectId(before.id), status: before.status as never }, { $set: set });
  if (res.modifiedCount !== 1) throw conflict('coop_status_conflict', 'The co-op changed meanwhile');
  const after = await getCoopRow(coopId);
  await audit(actorId, `coop.${action}`, `coop:${coopId}`, { status: before.status, rejectionReason: before.rejectionReason }, { status: after.status, rejectionReason: after.rejectionReason });
  // The shop's read model drops (or shows again) the co-op's goods at once.
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
  const [rates, coops] = await Promise.all([
    CommissionRateModel.find({}, { coop: 1, bps: 1, effectiveFrom: 1, note: 1 }).lean(),
    CoopModel.find({}, { name: 1 }).lean(),
  ]);
  const names = new Map(coops.map((c) => [String(c._id), c.name]));
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
export async function addCommissionRate(actorId: string, input: { coopId: string | null; bps: number; effectiveFrom: Date; note: string }): Promise<RateRow> {
  if (!Number.isInteger(input.bps) || input.bps < 0 || input.bps > 5000) throw new AppError('commission_out_of_range', 'Commission must be 0–50%', 422);
  if (input.coopId && !(await CoopModel.exists({ _id: input.coopId }))) throw notFound('coop_not_found', 'No such co-op');
  const doc = await CommissionRateModel.create({
    coop: input.coopId ? new Types.ObjectId(input.coopId) : null,
    bps: input.bps,
    effectiveFrom: input.effectiveFrom,
    note: input.note,
    createdBy: new Types.ObjectId(actorId),
  });
  commissionRatesChanged();
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
  if (f.actor) filter.actorEmail = f.actor.toLowerCase();
  const [total, docs, actions] = await Promise.all([
    AuditEntryModel.countDocuments(filter),
    AuditEntryModel.find(filter).sort({ at: -1 }).skip((f.page - 1) * PAGE).limit(PAGE).lean(),
    AuditEntryModel.distinct('action'),
  ]);
  return {
    entries: docs.map((d) => ({
      id: String(d._id),
      actorEmail: d.actorEmail || '—',
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
