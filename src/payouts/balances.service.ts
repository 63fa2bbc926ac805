import { Types } from 'mongoose';
import { registerSweeper } from '../platform/sweepers';
import { CoopShareModel } from '../orders/coop-share.model';
import { OrderModel } from '../orders/order.model';
import { trusted } from '../platform/db';
import { acquireLock } from '../platform/lock';
import { LedgerEntryModel, recordLedger } from './ledger.model';
import { TransferModel, transferId, type TransferDoc } from './transfer.model';

/**
 * What the admin sees of a share's money: the transfer's own status, plus
 * "reversed_partly" for a sent transfer of which some was taken back.
 * A share with no transfer document yet is waiting for its payment.
 */
export const SHARE_MONEY_STATES = ['waiting_payment', 'held', 'waiting_account', 'pending', 'sent', 'failed', 'reversed_partly', 'reversed'] as const;
export type ShareMoneyState = (typeof SHARE_MONEY_STATES)[number];

export function moneyState(t: Pick<TransferDoc, 'status' | 'amountReversed'> | null | undefined): ShareMoneyState {
  if (!t) return 'waiting_payment';
  if (t.status === 'sent' && (t.amountReversed ?? 0) > 0) return 'reversed_partly';
  return t.status;
}

export interface ShareMoneyRow {
  transferId: string;
  shareId: string;
  orderId: string;
  orderNumber: string;
  coopId: string;
  coopName: string;
  placedAt: Date | undefined;
  grossCents: number;
  commissionCents: number;
  netCents: number;
  amount: number;
  amountReversed: number;
  state: ShareMoneyState;
  holdReason: string;
  lastError: string;
  canRelease: boolean;
  canRetry: boolean;
  canHold: boolean;
}

export interface ShareFilter {
  coopId?: string;
  state?: ShareMoneyState | '';
  from?: Date;
  to?: Date;
}

/**
 * Every co-op share with its transfer state, newest first, filtered by
 * co-op, state and date (when the order was placed), with totals per state.
 * Reads the shares (by co-op when given) and the transfers by `_id`.
 */
export async function listShareMoney(filter: ShareFilter, limit = 500): Promise<{ rows: ShareMoneyRow[]; totals: Record<ShareMoneyState, { count: number; amount: number }>; truncated: boolean }> {
  const q: Record<string, unknown> = {};
  if (filter.coopId) q.coop = new Types.ObjectId(filter.coopId);
  const created: Record<string, Date> = {};
  if (filter.from) created.$gte = filter.from;
  if (filter.to) created.$lt = filter.to;
  if (Object.keys(created).length) q.createdAt = trusted(created);
  const shares = await CoopShareModel.find(q, { order: 1, orderNumber: 1, coop: 1, coopName: 1, subtotalCents: 1, shippingCents: 1, commissionCents: 1, netCents: 1, createdAt: 1 })
    .sort({ createdAt: -1 })
    .lean();
  const ids = shares.map((s) => transferId(String(s.order), String(s.coop)));
  const transfers = ids.length ? await TransferModel.find({ _id: trusted({ $in: ids }) }).lean() : [];
  const byId = new Map(transfers.map((t) => [t._id, t]));
  const totals = Object.fromEntries(SHARE_MONEY_STATES.map((s) => [s, { count: 0, amount: 0 }])) as Record<ShareMoneyState, { count: number; amount: number }>;
  const rows: ShareMoneyRow[] = [];
  for (const s of shares) {
    const id = transferId(String(s.order), String(s.coop));
    const t = byId.get(id);
    const state = moneyState(t);
    if (filter.state && state !== filter.state) continue;
    const amount = t?.amount ?? s.netCents;
    totals[state].count += 1;
    totals[state].amount += amount - (t?.amountReversed ?? 0);
    rows.push({
      transferId: id,
      shareId: s._id,
      orderId: String(s.order),
      orderNumber: s.orderNumber,
      coopId: String(s.coop),
      coopName: s.coopName,
      placedAt: s.createdAt,
      grossCents: s.subtotalCents + s.shippingCents,
      commissionCents: s.commissionCents,
      netCents: s.netCents,
      amount,
      amountReversed: t?.amountReversed ?? 0,
      state,
      holdReason: t?.holdReason ?? '',
      lastError: t?.lastError ? `${t.lastError.code}: ${t.lastError.message}` : '',
      canRelease: !!t && ['held', 'waiting_account', 'pending'].includes(t.status),
      canRetry: !!t && t.status === 'failed',
      canHold: !!t && !['sent', 'reversed', 'held'].includes(t.status),
    });
  }
  return { rows: rows.slice(0, limit), totals, truncated: rows.length > limit };
}

/** Transfers still to be made (pending, waiting) and held, by the week the order was placed. */
export async function transferStateTotalsByWeek(since: Date, weekOf: (d: Date) => string): Promise<{ week: string; pending: number; held: number }[]> {
  const docs = await TransferModel.find({ createdAt: trusted({ $gte: since }), status: trusted({ $in: ['held', 'waiting_account', 'pending', 'failed', 'waiting_payment'] }) }, { status: 1, amount: 1, createdAt: 1 }).lean();
  const weeks = new Map<string, { week: string; pending: number; held: number }>();
  for (const d of docs) {
    const w = weekOf(d.createdAt);
    const row = weeks.get(w) ?? { week: w, pending: 0, held: 0 };
    if (d.status === 'held') row.held += d.amount;
    else row.pending += d.amount;
    weeks.set(w, row);
  }
  return [...weeks.values()];
}

/**
 * What a co-op owes the platform now: amounts recorded as owed (a reversal
 * that could not be made) less what was already netted against later
 * transfers. Never negative.
 */
export async function owedBy(coopId: string): Promise<number> {
  const entries = await LedgerEntryModel.find({ coop: new Types.ObjectId(coopId), kind: trusted({ $in: ['owed', 'netted'] }) }, { amount: 1 }).lean();
  return Math.max(0, -entries.reduce((a, e) => a + e.amount, 0));
}

/**
 * Nets what the co-op owes against a transfer that has not gone yet: the
 * transfer's amount goes down and a `netted` ledger entry (keyed by the
 * transfer, so once only) records it. Call it before sending the transfer;
 * it takes the transfer's send lock, so it never races a send.
 * Returns the cents netted (0 when nothing was owed or it was already done).
 */
export async function netOwedAgainstTransfer(id: string): Promise<number> {
  const lock = await acquireLock(`send:${id}`, { ttlMs: 30_000, waitMs: 5_000 });
  try {
    const t = await TransferModel.findById(id).lean();
    if (!t || t.status === 'sent' || t.status === 'reversed') return 0;
    const key = `netted:${id}`;
    const done = await LedgerEntryModel.findById(key, { amount: 1, note: 1 }).lean();
    if (done) {
      // Finish a netting interrupted between the ledger entry and the amount change.
      const original = Number(/^from:(\d+)$/.exec(done.note ?? '')?.[1] ?? NaN);
      if (Number.isInteger(original) && t.amount !== original - done.amount) await TransferModel.updateOne({ _id: id }, { $set: { amount: original - done.amount } });
      return 0;
    }
    const owed = await owedBy(String(t.coop));
    const x = Math.min(owed, t.amount);
    if (x <= 0) return 0;
    await recordLedger({ _id: key, kind: 'netted', order: t.order, orderNumber: t.orderNumber, coop: t.coop, amount: x, note: `from:${t.amount}` });
    await TransferModel.updateOne({ _id: id }, { $set: { amount: t.amount - x } });
    return x;
  } finally {
    await lock.release();
  }
}

export interface CoopBalance {
  earned: number;
  transferred: number;
  reversed: number;
  held: number;
  waiting: number;
  owed: number;
  netted: number;
  owedNow: number;
}

/**
 * A co-op's money: earned (net of its paid shares), transferred, reversed,
 * held or waiting (transfers not sent yet), owed back (recorded owed), netted,
 * and what it owes now.
 */
export async function coopBalance(coopId: string): Promise<CoopBalance> {
  const coop = new Types.ObjectId(coopId);
  const [shares, transfers, entries] = await Promise.all([
    CoopShareModel.find({ coop }, { netCents: 1, status: 1 }).lean(),
    TransferModel.find({ coop }, { status: 1, amount: 1 }).lean(),
    LedgerEntryModel.find({ coop }, { kind: 1, amount: 1 }).lean(),
  ]);
  const sum = (kind: string) => entries.filter((e) => e.kind === kind).reduce((a, e) => a + e.amount, 0);
  const earned = shares.filter((s) => !['pending_payment', 'cancelled'].includes(s.status)).reduce((a, s) => a + s.netCents, 0);
  const held = transfers.filter((t) => t.status === 'held').reduce((a, t) => a + t.amount, 0);
  const waiting = transfers.filter((t) => ['waiting_account', 'pending', 'failed'].includes(t.status)).reduce((a, t) => a + t.amount, 0);
  const owed = Math.abs(sum('owed'));
  const netted = sum('netted');
  return { earned, transferred: sum('transfer'), reversed: Math.abs(sum('reversal')), held, waiting, owed, netted, owedNow: Math.max(0, owed - netted) };
}

/**
 * Records what an order's payment brought in, once: the charge and the
 * commission kept on each co-op share (at the rate the share snapshotted).
 * Safe to call any number of times (entries are keyed by order and co-op).
 */
export async function recordOrderPaymentLedger(orderId: string): Promise<boolean> {
  const order = await OrderModel.findById(orderId, { number: 1, status: 1, totalCents: 1, payment: 1 }).lean();
  if (!order?.payment?.paidAt) return false;
  const shares = await CoopShareModel.find({ order: order._id }, { coop: 1, commissionCents: 1 }).lean();
  await recordLedger([
    { _id: `charge:${orderId}`, kind: 'charge', order: order._id, orderNumber: order.number, coop: null, amount: order.totalCents, stripeId: order.payment.chargeId, at: order.payment.paidAt },
    ...shares.map((s) => ({ _id: `commission:${orderId}:${String(s.coop)}`, kind: 'commission' as const, order: order._id, orderNumber: order.number, coop: s.coop, amount: s.commissionCents, at: order.payment!.paidAt! })),
  ]);
  return true;
}

/**
 * Orders whose charge is in the ledger (the orders feature records it when
 * paid) but not yet their commission: records it. Run by a sweeper and
 * before the ledger pages, so every paid order's split is in the ledger.
 */
export async function backfillCommissionLedger(limit = 500): Promise<number> {
  const [charges, commissions] = await Promise.all([
    LedgerEntryModel.find({ kind: 'charge' }, { order: 1 }).lean(),
    LedgerEntryModel.find({ kind: 'commission' }, { _id: 1 }).lean(),
  ]);
  const done = new Set(commissions.map((c) => /^commission:([a-f\d]{24}):[a-f\d]{24}$/.exec(c._id)?.[1]).filter(Boolean));
  const missing = charges.filter((c) => c.order && !done.has(String(c.order))).slice(0, limit);
  for (const c of missing) await recordOrderPaymentLedger(String(c.order));
  return missing.length;
}

registerSweeper({ name: 'ledger-commission', everyMs: 60_000, run: () => backfillCommissionLedger() });
