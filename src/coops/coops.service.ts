import { Types } from 'mongoose';
import { conflict, notFound } from '../platform/errors';
import { CoopModel, type Coop } from './coop.model';
import { MembershipModel } from './membership.model';
import { rightsChanged } from '../accounts';

/**
 * The co-op register as other features read and change it. Nobody outside
 * coops/ touches the model: they call these, so the collection's shape can
 * change here alone.
 */
export type { Coop };
export type CoopStatus = Coop['status'];

const asObjectId = (id: string | Types.ObjectId): Types.ObjectId | null =>
  id instanceof Types.ObjectId ? id : Types.ObjectId.isValid(id) && /^[a-f\d]{24}$/i.test(id) ? new Types.ObjectId(id) : null;

/** One co-op by id, or null (also for an id that is not one). */
export async function findCoop(id: string | Types.ObjectId): Promise<Coop | null> {
  const _id = asObjectId(id);
  return _id ? ((await CoopModel.findById(_id).lean()) as Coop | null) : null;
}

/** Several co-ops by id, in no particular order; unknown ids are skipped. */
export async function findCoops(ids: readonly (string | Types.ObjectId)[]): Promise<Coop[]> {
  const _ids = [...new Set(ids.map(String))].map(asObjectId).filter((x): x is Types.ObjectId => !!x);
  if (_ids.length === 0) return [];
  // One lookup by _id each: every engine answers these from the _id index.
  return (await Promise.all(_ids.map((id) => CoopModel.findById(id).lean()))).filter((c): c is NonNullable<typeof c> => !!c) as Coop[];
}

/** The co-ops whose goods the shop shows. */
export async function approvedCoops(): Promise<Coop[]> {
  return (await CoopModel.find({ status: 'approved' }).lean()) as Coop[];
}

/** Every co-op's id and name, by name (the admin's pickers and filters). */
export async function coopNames(): Promise<{ id: string; name: string }[]> {
  const rows = await CoopModel.find({}, { name: 1 }).sort({ name: 1 }).lean();
  return rows.map((c) => ({ id: String(c._id), name: c.name }));
}

/** Names by id for the given co-ops (a missing one is left out). */
export async function coopNamesOf(ids: readonly (string | Types.ObjectId)[]): Promise<Map<string, string>> {
  const coops = await findCoops(ids);
  return new Map(coops.map((c) => [String(c._id), c.name]));
}

export async function coopExists(id: string): Promise<boolean> {
  const _id = asObjectId(id);
  return !!_id && !!(await CoopModel.exists({ _id }));
}

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
  legalName: string;
  vatNumber: string;
  seat: string;
  stripeAccountId: string;
  payouts: {
    transfersActive: boolean;
    payoutsEnabled: boolean;
    detailsSubmitted: boolean;
    currentlyDue: string[];
    pastDue: string[];
    disabledReason: string;
  };
}

const ROW_FIELDS = {
  name: 1,
  slug: 1,
  status: 1,
  region: 1,
  town: 1,
  kind: 1,
  createdAt: 1,
  rejectionReason: 1,
  legalName: 1,
  vatNumber: 1,
  seat: 1,
  stripeAccountId: 1,
  payouts: 1,
} as const;

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
    legalName: String(c.legalName ?? ''),
    vatNumber: String(c.vatNumber ?? ''),
    seat: String(c.seat ?? ''),
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
export async function listCoopRows(): Promise<{ pending: CoopRow[]; others: CoopRow[] }> {
  const all = (await CoopModel.find({}, ROW_FIELDS).lean()).map((c) => toRow(c as never));
  const pending = all.filter((c) => c.status === 'pending').sort((a, b) => +(a.createdAt ?? 0) - +(b.createdAt ?? 0));
  const others = all.filter((c) => c.status !== 'pending').sort((a, b) => a.name.localeCompare(b.name));
  return { pending, others };
}

export async function getCoopRow(coopId: string): Promise<CoopRow> {
  const _id = asObjectId(coopId);
  const c = _id ? await CoopModel.findById(_id, ROW_FIELDS).lean() : null;
  if (!c) throw notFound('coop_not_found', 'No such co-op');
  return toRow(c as never);
}

/** Co-ops waiting for a decision. */
export async function pendingCoopCount(): Promise<number> {
  return CoopModel.countDocuments({ status: 'pending' });
}

export type CoopTransition = 'approve' | 'reject' | 'pause' | 'resume';
const ALLOWED: Record<CoopTransition, { from: string[]; to: string }> = {
  approve: { from: ['pending', 'rejected'], to: 'approved' },
  reject: { from: ['pending'], to: 'rejected' },
  pause: { from: ['approved'], to: 'paused' },
  resume: { from: ['paused'], to: 'approved' },
};

/**
 * Moves a co-op between states (approve, reject with a reason the applicant
 * sees, pause, resume). The update is conditional on the status read, so a
 * decision made on a stale page is refused. A paused co-op's goods leave the
 * shop; its open orders continue. The caller audits and refreshes the shop.
 */
export async function changeCoopStatus(coopId: string, action: CoopTransition, reason = ''): Promise<{ before: CoopRow; after: CoopRow }> {
  const before = await getCoopRow(coopId);
  const rule = ALLOWED[action];
  if (!rule.from.includes(before.status)) throw conflict('coop_status_conflict', `Cannot ${action} a ${before.status} co-op`);
  const set: Record<string, unknown> = { status: rule.to };
  if (action === 'approve') Object.assign(set, { approvedAt: new Date(), rejectionReason: '' });
  if (action === 'reject') set.rejectionReason = reason;
  const res = await CoopModel.updateOne({ _id: new Types.ObjectId(before.id), status: before.status as never }, { $set: set });
  if (res.modifiedCount !== 1) throw conflict('coop_status_conflict', 'The co-op changed meanwhile');
  // Members' sessions hold the co-op's status (the workspace reads it): they read it again on their next request.
  const members = await MembershipModel.find({ coop: before.id }, { user: 1 }).lean();
  await rightsChanged(members.map((m) => m.user));
  return { before, after: await getCoopRow(coopId) };
}

/** A co-op's legal identity: the seller buyers see on product, co-op and order pages and in receipts. */
export interface CoopLegal {
  legalName: string;
  vatNumber: string;
  seat: string;
}

/**
 * Sets a co-op's legal identity (the input is validated: CoopLegalSchema).
 * Returns it before and after, for the caller's audit log; the caller also
 * refreshes the shop, whose pages show it. Orders keep the identity they
 * were placed with (see orders' seller snapshot).
 */
export async function setCoopLegal(coopId: string, input: CoopLegal): Promise<{ before: CoopLegal; after: CoopLegal }> {
  const row = await getCoopRow(coopId);
  const before = { legalName: row.legalName, vatNumber: row.vatNumber, seat: row.seat };
  const after = { legalName: input.legalName, vatNumber: input.vatNumber.replace(/\s/g, '').toUpperCase(), seat: input.seat };
  await CoopModel.updateOne({ _id: new Types.ObjectId(row.id) }, { $set: after });
  return { before, after };
}
