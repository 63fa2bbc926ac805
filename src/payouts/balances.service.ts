import { Types } from 'mongoose';
import type { Job } from '../platform/jobs';
import { findShares, getOrder, sharePaid, sharesForOrder, type CoopShare, type ShareStatus } from '../orders';
import { trusted } from '../platform/db';
import { LedgerEntryModel, recordLedger } from './ledger.model';
import { owedBy } from './debt.model';
import { fixTransferAmount } from './transfers.service';
import { TransferModel, transferId, type TransferDoc } from './transfer.model';

/**
 * What the admin sees of a share's money: the transfer's own status, plus
 * "reversed_partly" for a sent transfer of which some was taken back.
 * A share with no transfer document yet is waiting for its payment.
 */
export const SHARE_MONEY_STATES = [
  'waiting_payment',
  'held',
  'waiting_account',
  'pending',
  'sent',
  'failed',
  'reversed_partly',
  'reversed',
] as const;
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
  /** What the buyer paid for the share (after discounts), and the discounts in it. */
  grossCents: number;
  discountCents: number;
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

/** Share states of an order that was never paid: nothing is owed on them. */
const NOT_OWED: ShareStatus[] = ['pending_payment', 'cancelled'];

/**
 * Every co-op share with its transfer state, newest first, filtered by
 * co-op, state and date (when the order was placed), with totals per state.
 * Reads the shares (by co-op when given) and the transfers by `_id`.
 */
export async function listShareMoney(
  filter: ShareFilter,
  limit = 500,
): Promise<{ rows: ShareMoneyRow[]; totals: Record<ShareMoneyState, { count: number; amount: number }>; truncated: boolean }> {
  // Shares of checkouts never paid (or cancelled) owe nobody anything: they are not money waiting.
  const shares = await findShares({ statusNotIn: NOT_OWED, coopId: filter.coopId, from: filter.from, to: filter.to });
  const ids = shares.map((s) => transferId(String(s.order), String(s.coop)));
  const transfers = ids.length ? await TransferModel.find({ _id: trusted({ $in: ids }) }).lean() : [];
  const byId = new Map(transfers.map((t) => [t._id, t]));
  const totals = Object.fromEntries(SHARE_MONEY_STATES.map((s) => [s, { count: 0, amount: 0 }])) as Record<
    ShareMoneyState,
    { count: number; amount: number }
  >;
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
      grossCents: sharePaid(s),
      discountCents: s.discountCents ?? 0,
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

/**
 * Transfers still to be made (pending, waiting for the account, failed) and
 * held, by the week the order was placed. A transfer waiting for its
 * payment belongs to a checkout not paid (yet, or ever): not money owed.
 */
export async function transferStateTotalsByWeek(
  since: Date,
  weekOf: (d: Date) => string,
): Promise<{ week: string; pending: number; held: number }[]> {
  const docs = await TransferModel.find(
    { createdAt: trusted({ $gte: since }), status: trusted({ $in: ['held', 'waiting_account', 'pending', 'failed'] }) },
    { status: 1, amount: 1, createdAt: 1 },
  ).lean();
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

export { owedBy } from './debt.model';

/**
 * Nets what the co-op owes against a transfer that has not gone yet, by
 * fixing the transfer's amount now (see `fixTransferAmount`: once, the debt
 * claimed atomically on the co-op's debt document). Sending does this by
 * itself; call it to fix a held transfer's amount early.
 * Returns the cents netted by this call (0 when nothing was owed or it was already done).
 */
export async function netOwedAgainstTransfer(id: string): Promise<number> {
  return fixTransferAmount(id);
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
    findShares({ coopId }),
    TransferModel.find({ coop }, { status: 1, amount: 1 }).lean(),
    LedgerEntryModel.find({ coop }, { kind: 1, amount: 1 }).lean(),
  ]);
  const sum = (kind: string) => entries.filter((e) => e.kind === kind).reduce((a, e) => a + e.amount, 0);
  const earned = shares.filter((s) => !['pending_payment', 'cancelled'].includes(s.status)).reduce((a, s) => a + s.netCents, 0);
  const held = transfers.filter((t) => t.status === 'held').reduce((a, t) => a + t.amount, 0);
  const waiting = transfers.filter((t) => ['waiting_account', 'pending', 'failed'].includes(t.status)).reduce((a, t) => a + t.amount, 0);
  const owed = -sum('owed');
  const netted = sum('netted');
  // What it owes now comes from its debt document (the one owner of that balance), never clamped.
  return { earned, transferred: sum('transfer'), reversed: -sum('reversal'), held, waiting, owed, netted, owedNow: await owedBy(coopId) };
}

/**
 * Records what an order's payment brought in, once: the charge, and the
 * commission kept on each co-op share (at the rate the share snapshotted).
 * The orders feature calls it in the step that marks the order paid, so a
 * paid order is never seen without its commission. Safe to call any
 * number of times (entries are keyed by order and co-op).
 *
 * A payment that came after the order was cancelled (`latePayment`) is
 * recorded as a charge at once; while its stock is being taken again
 * nothing else is. If the order is refunded instead, no co-op sold
 * anything: the platform holds each co-op's whole part (its commission
 * is the gross) until the refund gives it back.
 */
export async function recordOrderPaymentLedger(orderId: string): Promise<boolean> {
  const order = await getOrder(orderId);
  if (!order?.payment?.paidAt) return false;
  const at = order.payment.paidAt;
  const sold = ['paid', 'completed', 'refunded'].includes(order.status);
  const refundedLate =
    order.status === 'cancelled' && (order.latePayment?.state === 'refunding' || order.latePayment?.state === 'refunded');
  // Each share by `_id` ("<orderId>:<coopId>"): indexed reads on every engine.
  const shares = sold || refundedLate ? await sharesForOrder(order) : [];
  await recordLedger([
    {
      _id: `charge:${orderId}`,
      kind: 'charge',
      order: order._id,
      orderNumber: order.number,
      coop: null,
      amount: order.totalCents,
      stripeId: order.payment.chargeId,
      at,
    },
    ...shares.map((s) => ({
      _id: `commission:${orderId}:${String(s.coop)}`,
      kind: 'commission' as const,
      order: order._id,
      orderNumber: order.number,
      coop: s.coop,
      amount: sold ? s.commissionCents : sharePaid(s),
      at,
    })),
    // Discounts as their own lines: the platform's (part of its take) and the co-op's (informational).
    ...(sold ? shares.flatMap((s) => discountEntries(order, s, at)) : []),
  ]);
  return true;
}

/** The discount lines of a sold share, each keyed by order and co-op (written once). */
function discountEntries(order: { _id: Types.ObjectId; number: string }, s: CoopShare, at: Date) {
  const codes = (funder: string) =>
    (s.discounts ?? [])
      .filter((d) => d.funder === funder)
      .map((d) => d.code ?? d.name)
      .join(', ')
      .slice(0, 200);
  const id = `${String(order._id)}:${String(s.coop)}`;
  return [
    ...((s.platformDiscountCents ?? 0) > 0
      ? [
          {
            _id: `discount:${id}`,
            kind: 'discount' as const,
            order: order._id,
            orderNumber: order.number,
            coop: s.coop,
            amount: -s.platformDiscountCents!,
            note: codes('platform'),
            at,
          },
        ]
      : []),
    ...((s.coopDiscountCents ?? 0) > 0
      ? [
          {
            _id: `coop_discount:${id}`,
            kind: 'coop_discount' as const,
            order: order._id,
            orderNumber: order.number,
            coop: s.coop,
            amount: -s.coopDiscountCents!,
            note: codes('coop'),
            at,
          },
        ]
      : []),
  ];
}

/**
 * Repair path for orders paid before the commission was written with the
 * payment: orders whose charge is in the ledger but not their commission
 * get it. It reads the whole ledger, so an hourly job (`ledger-commission`) runs it,
 * and the admin's ledger page; new payments never need it.
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

export const ledgerCommissionJob: Job = { name: 'ledger-commission', everyMs: 60 * 60_000, run: () => backfillCommissionLedger() };

/** Refunds booked in the ledger at or after `since` (amounts are negative). */
export async function refundEntriesSince(since: Date): Promise<{ amount: number; at: Date }[]> {
  return LedgerEntryModel.find({ kind: 'refund', at: trusted({ $gte: since }) }, { amount: 1, at: 1 }).lean();
}

export interface NextPayout {
  /** Everything earned and not sent yet (pending, failed, held, waiting for the account), in cents. */
  amountCents: number;
  count: number;
  /** When the first of it is due: now (being sent), a date (a hold that ends), or after shipping (the hold policy). */
  due: { kind: 'now' } | { kind: 'date'; at: Date } | { kind: 'after_shipping' } | null;
  /** What keeps money back: transfers an admin holds, ones that failed, ones waiting for the payout account. */
  heldByAdmin: number;
  failed: number;
  waitingAccount: number;
}

/**
 * The co-op's next payout, for its workspace home: one read of its
 * transfers not sent yet (by co-op and state), summed, with when the first
 * is due and what holds the rest back.
 */
export async function nextPayout(coopId: string): Promise<NextPayout> {
  const docs = await TransferModel.find(
    { coop: new Types.ObjectId(coopId), status: trusted({ $in: ['pending', 'failed', 'held', 'waiting_account'] }) },
    { status: 1, amount: 1, manualHold: 1, heldUntil: 1 },
  ).lean();
  const out: NextPayout = { amountCents: 0, count: docs.length, due: null, heldByAdmin: 0, failed: 0, waitingAccount: 0 };
  let earliest: Date | null = null;
  let policyHeld = false;
  for (const t of docs) {
    out.amountCents += t.amount;
    if (t.status === 'failed') out.failed += 1;
    if (t.status === 'waiting_account') out.waitingAccount += 1;
    if (t.status === 'held' && t.manualHold) out.heldByAdmin += 1;
    if (t.status === 'held' && !t.manualHold) {
      if (t.heldUntil && (!earliest || t.heldUntil < earliest)) earliest = t.heldUntil;
      else if (!t.heldUntil) policyHeld = true;
    }
  }
  if (docs.some((t) => t.status === 'pending' || t.status === 'failed')) out.due = { kind: 'now' };
  else if (earliest) out.due = { kind: 'date', at: earliest };
  else if (policyHeld) out.due = { kind: 'after_shipping' };
  return out;
}
