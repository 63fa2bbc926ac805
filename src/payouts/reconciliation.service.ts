import { Types } from 'mongoose';
import { getOrder, recentPaidOrders as paidOrders, sharesForOrder } from '../orders';
import type { PaymentGateway, TransferGroupMoney } from '../payments';
import { trusted } from '../platform/db';
import { notFound } from '../platform/errors';
import { LedgerEntryModel, type LedgerEntry, type LedgerKind } from './ledger.model';
import { TransferModel, transferId } from './transfer.model';
import { toCsv } from '../platform/csv';

/** Entries that move money between the platform and a co-op (the co-op's side). */
const COOP_POSITION = new Set(['transfer', 'reversal', 'owed', 'netted']);
const PLATFORM_CASH = new Set(['charge', 'refund', 'dispute']);
const NOT_SENT = new Set(['waiting_payment', 'held', 'waiting_account', 'pending', 'failed']);

export interface OrderBalance {
  orderId: string;
  cashIn: number;
  /** Commission less the platform's discounts. */
  commission: number;
  coopPositions: number;
  outstanding: number;
  /** cashIn − commission − coopPositions − outstanding: zero when every cent is accounted for. */
  difference: number;
}

/**
 * Does an order's ledger balance to the cent? What the platform holds for
 * it (charge, refunds, disputes lost) must equal the commission it keeps,
 * plus what went to (or is owed by) each co-op, plus the transfers not sent
 * yet. Only orders whose payment was recorded are checked.
 */
export async function orderBalance(orderId: string): Promise<OrderBalance> {
  const order = new Types.ObjectId(orderId);
  const [entries, shares, transfers] = await Promise.all([
    LedgerEntryModel.find({ order }, { kind: 1, amount: 1 }).lean(),
    sharesForOrder(order),
    TransferModel.find({ order }, { status: 1, amount: 1 }).lean(),
  ]);
  const sum = (pred: (k: string) => boolean) => entries.filter((e) => pred(e.kind)).reduce((a, e) => a + e.amount, 0);
  const cashIn = sum((k) => PLATFORM_CASH.has(k));
  // The platform's take: its commissions less the discounts it gave (and took back with refunds).
  const commission = sum((k) => k === 'commission' || k === 'discount');
  const coopPositions = sum((k) => COOP_POSITION.has(k));
  const byId = new Map(transfers.map((t) => [t._id, t]));
  let outstanding = 0;
  if (entries.some((e) => e.kind === 'charge')) {
    for (const s of shares) {
      const t = byId.get(transferId(orderId, String(s.coop)));
      if (!t) outstanding += s.netCents;
      else if (NOT_SENT.has(t.status)) outstanding += t.amount;
    }
  }
  return { orderId, cashIn, commission, coopPositions, outstanding, difference: cashIn - commission - coopPositions - outstanding || 0 };
}

export interface LedgerFilter {
  orderId?: string;
  coopId?: string;
  kind?: string;
  from?: Date;
  to?: Date;
}

/** Ledger entries, newest first, by order, co-op, kind and date. */
export async function listLedger(f: LedgerFilter, limit = 1000): Promise<LedgerEntry[]> {
  const q: Record<string, unknown> = {};
  if (f.orderId) q.order = new Types.ObjectId(f.orderId);
  if (f.coopId) q.coop = new Types.ObjectId(f.coopId);
  if (f.kind) q.kind = f.kind;
  const at: Record<string, Date> = {};
  if (f.from) at.$gte = f.from;
  if (f.to) at.$lt = f.to;
  if (Object.keys(at).length) q.at = trusted(at);
  return LedgerEntryModel.find(q).sort({ at: -1 }).limit(limit).lean();
}

/** The ledger as CSV (amounts in cents, signed; one line per entry), through the one CSV writer. */
export function ledgerCsv(entries: LedgerEntry[]): string {
  const head = ['at', 'kind', 'order_number', 'order_id', 'coop_id', 'amount_cents', 'currency', 'stripe_id', 'entry_id', 'note'];
  return toCsv(
    head,
    entries.map((e) => [
      e.at,
      e.kind,
      e.orderNumber,
      e.order ? String(e.order) : '',
      e.coop ? String(e.coop) : '',
      e.amount,
      e.currency,
      e.stripeId,
      e._id,
      e.note,
    ]),
  );
}

/**
 * What can differ between our ledger and Stripe's objects, as stable codes
 * (shown on the reconciliation page, asserted by tests):
 * - `*_unknown_to_ledger`: Stripe holds it, our ledger does not (e.g. a
 *   reversal or refund made in Stripe's dashboard, or a transfer Stripe made
 *   before our process stopped);
 * - `*_missing`: our ledger holds it, Stripe does not;
 * - `*_amount_mismatch`: both hold it, with different amounts;
 * - `coop_total_mismatch`: what a co-op kept of this order (transfers less
 *   reversals) differs between the two;
 * - `ledger_unbalanced`: the order's own ledger does not add up (see `orderBalance`).
 */
export const DIFFERENCE_CODES = [
  'charge_unknown_to_ledger',
  'charge_missing',
  'charge_amount_mismatch',
  'transfer_unknown_to_ledger',
  'transfer_missing',
  'transfer_amount_mismatch',
  'reversal_unknown_to_ledger',
  'reversal_missing',
  'reversal_amount_mismatch',
  'refund_unknown_to_ledger',
  'refund_missing',
  'refund_amount_mismatch',
  'coop_total_mismatch',
  'ledger_unbalanced',
] as const;
export type DifferenceCode = (typeof DIFFERENCE_CODES)[number];

export interface Difference {
  code: DifferenceCode;
  /** The Stripe object's id (or our entry's), the co-op's id for totals, the order number for the balance. */
  id: string;
  coopId?: string;
  /** Cents on each side; null where that side has nothing. */
  ours: number | null;
  stripe: number | null;
}

export interface CoopTotals {
  coopId: string;
  /** Transfers less reversals, as our ledger has them for this order. */
  ledger: number;
  /** The same, from Stripe's transfers and their reversals. */
  stripe: number;
}

type LedgerSide = Pick<LedgerEntry, 'kind' | 'amount' | 'stripeId' | 'coop'>;

/** A refund that did not, or will not, move money. */
const REFUND_NOT_MADE = new Set(['failed', 'canceled']);

/**
 * Compares one order's ledger entries with Stripe's own objects for its
 * transfer group, object by object (matched by Stripe id) and per co-op.
 * Pure: no database, no network.
 */
export function compareWithStripe(entries: LedgerSide[], stripe: TransferGroupMoney): { differences: Difference[]; coops: CoopTotals[] } {
  const differences: Difference[] = [];
  const byKind = (kind: LedgerKind) => entries.filter((e) => e.kind === kind);
  /** Matches two lists by id and reports what only one side has, or where the amounts differ. */
  const match = (
    what: 'charge' | 'transfer' | 'reversal' | 'refund',
    ours: { id: string; amount: number; coopId?: string }[],
    theirs: { id: string; amount: number; coopId?: string; alias?: string }[],
  ) => {
    const left = new Map(ours.map((o) => [o.id, o]));
    for (const t of theirs) {
      const key = left.has(t.id) ? t.id : t.alias && left.has(t.alias) ? t.alias : undefined;
      const o = key ? left.get(key)! : undefined;
      if (!o) differences.push({ code: `${what}_unknown_to_ledger`, id: t.id, coopId: t.coopId, ours: null, stripe: t.amount });
      else if (o.amount !== t.amount)
        differences.push({ code: `${what}_amount_mismatch`, id: t.id, coopId: o.coopId ?? t.coopId, ours: o.amount, stripe: t.amount });
      if (key) left.delete(key);
    }
    for (const o of left.values()) differences.push({ code: `${what}_missing`, id: o.id, coopId: o.coopId, ours: o.amount, stripe: null });
  };
  const coopOf = (e: LedgerSide) => (e.coop ? String(e.coop) : undefined);
  const ours = (kind: LedgerKind, sign: 1 | -1) =>
    byKind(kind).map((e) => ({ id: e.stripeId ?? '(none)', amount: sign * e.amount, coopId: coopOf(e) }));

  // Our charge entry names the charge (or, when the charge was not known, its PaymentIntent).
  match(
    'charge',
    ours('charge', 1),
    stripe.charges.filter((c) => c.status === 'succeeded').map((c) => ({ id: c.id, amount: c.amount, alias: c.paymentIntentId })),
  );
  // A transfer's co-op: ours where we know the transfer, else the metadata we put on it.
  const coopOfTransfer = new Map<string, string | undefined>();
  for (const e of byKind('transfer')) if (e.stripeId) coopOfTransfer.set(e.stripeId, coopOf(e));
  for (const t of stripe.transfers) if (!coopOfTransfer.get(t.id)) coopOfTransfer.set(t.id, t.metadata.coopId);
  match(
    'transfer',
    ours('transfer', 1),
    stripe.transfers.map((t) => ({ id: t.id, amount: t.amount, coopId: coopOfTransfer.get(t.id) })),
  );
  match(
    'reversal',
    ours('reversal', -1),
    stripe.transfers.flatMap((t) => t.reversals.map((r) => ({ id: r.id, amount: r.amount, coopId: coopOfTransfer.get(t.id) }))),
  );
  match(
    'refund',
    ours('refund', -1),
    stripe.refunds.filter((r) => !REFUND_NOT_MADE.has(r.status)).map((r) => ({ id: r.id, amount: r.amount })),
  );

  const totals = new Map<string, CoopTotals>();
  const total = (coopId: string) => totals.get(coopId) ?? totals.set(coopId, { coopId, ledger: 0, stripe: 0 }).get(coopId)!;
  for (const e of entries) if ((e.kind === 'transfer' || e.kind === 'reversal') && e.coop) total(String(e.coop)).ledger += e.amount;
  for (const t of stripe.transfers) {
    const coopId = coopOfTransfer.get(t.id) ?? `destination:${t.destination}`;
    total(coopId).stripe += t.amount - t.reversals.reduce((a, r) => a + r.amount, 0);
  }
  const coops = [...totals.values()];
  for (const c of coops)
    if (c.ledger !== c.stripe)
      differences.push({ code: 'coop_total_mismatch', id: c.coopId, coopId: c.coopId, ours: c.ledger, stripe: c.stripe });
  return { differences, coops };
}

/**
 * Compares one order's ledger with Stripe's own objects for its
 * `transfer_group` (= order number): charges, transfers, each transfer's
 * reversals and the charges' refunds, read from Stripe rather than from
 * what our webhooks copied. Lists each difference (none when they agree),
 * plus `ledger_unbalanced` when the ledger itself does not add up.
 */
export async function reconcileOrder(
  orderId: string,
  gateway: PaymentGateway,
): Promise<{ orderNumber: string; differences: Difference[]; coops: CoopTotals[]; balance: OrderBalance }> {
  if (!Types.ObjectId.isValid(orderId)) throw notFound('order_not_found', 'No such order');
  const order = await getOrder(orderId);
  if (!order) throw notFound('order_not_found', 'No such order');
  const [entries, balance, stripe] = await Promise.all([
    LedgerEntryModel.find({ order: order._id }, { kind: 1, amount: 1, stripeId: 1, coop: 1 }).lean(),
    orderBalance(orderId),
    gateway.readTransferGroup(order.number),
  ]);
  const { differences, coops } = compareWithStripe(entries, stripe);
  if (balance.difference !== 0) differences.push({ code: 'ledger_unbalanced', id: order.number, ours: balance.difference, stripe: null });
  return { orderNumber: order.number, differences, coops, balance };
}

/** The most recent paid orders, for the reconciliation page (orders' own query). */
export function recentPaidOrders(limit = 50, coopId?: string): Promise<{ id: string; number: string; paidAt: Date }[]> {
  return paidOrders(limit, coopId);
}
