import { Types } from 'mongoose';
import { CoopShareModel, OrderModel } from '../orders';
import type { PaymentGateway } from '../payments/gateway';
import { trusted } from '../platform/db';
import { notFound } from '../platform/errors';
import { LedgerEntryModel, type LedgerEntry } from './ledger.model';
import { RefundModel } from './refund.model';
import { TransferModel, transferId } from './transfer.model';

/** Entries that move money between the platform and a co-op (the co-op's side). */
const COOP_POSITION = new Set(['transfer', 'reversal', 'owed', 'netted']);
const PLATFORM_CASH = new Set(['charge', 'refund', 'dispute']);
const NOT_SENT = new Set(['waiting_payment', 'held', 'waiting_account', 'pending', 'failed']);

export interface OrderBalance {
  orderId: string;
  cashIn: number;
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
    CoopShareModel.find({ order }, { coop: 1, netCents: 1 }).lean(),
    TransferModel.find({ order }, { status: 1, amount: 1 }).lean(),
  ]);
  const sum = (pred: (k: string) => boolean) => entries.filter((e) => pred(e.kind)).reduce((a, e) => a + e.amount, 0);
  const cashIn = sum((k) => PLATFORM_CASH.has(k));
  const commission = sum((k) => k === 'commission');
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

const csvCell = (v: unknown): string => {
  let s = v == null ? '' : v instanceof Date ? v.toISOString() : String(v);
  // A cell that starts like a formula is neutralised for spreadsheets.
  if (/^[=+\-@\t\r]/.test(s) && !/^-?\d+$/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The ledger as CSV (amounts in cents, signed; one line per entry). */
export function ledgerCsv(entries: LedgerEntry[]): string {
  const head = ['at', 'kind', 'order_number', 'order_id', 'coop_id', 'amount_cents', 'currency', 'stripe_id', 'entry_id', 'note'];
  const rows = entries.map((e) => [e.at, e.kind, e.orderNumber, e.order ? String(e.order) : '', e.coop ? String(e.coop) : '', e.amount, e.currency, e.stripeId, e._id, e.note].map(csvCell).join(','));
  return [head.join(','), ...rows].join('\r\n') + '\r\n';
}

export interface Difference {
  kind: 'transfer' | 'refund' | 'balance';
  id: string;
  ours: string;
  stripe: string;
}

/**
 * Compares one order's ledger with what Stripe reports: its transfers (by
 * `transfer_group` = order number) with amounts and reversals, and its
 * refunds (by PaymentIntent). Lists each difference; none when they agree.
 */
export async function reconcileOrder(orderId: string, gateway: PaymentGateway): Promise<{ orderNumber: string; differences: Difference[]; balance: OrderBalance }> {
  const order = await OrderModel.findById(orderId, { number: 1, payment: 1 }).lean();
  if (!order) throw notFound('order_not_found', 'No such order');
  const [entries, refunds, balance] = await Promise.all([
    LedgerEntryModel.find({ order: order._id }, { kind: 1, amount: 1, stripeId: 1 }).lean(),
    RefundModel.find({ order: order._id }, { stripeRefundId: 1, amount: 1, status: 1 }).lean(),
    orderBalance(orderId),
  ]);
  const differences: Difference[] = [];
  const stripeTransfers = await gateway.listTransfers(order.number);
  const ourTransfers = new Map<string, { amount: number; reversed: number }>();
  for (const e of entries) {
    if (e.kind === 'transfer' && e.stripeId) ourTransfers.set(e.stripeId, { amount: e.amount, reversed: 0 });
  }
  const reversalsByTransfer = await TransferModel.find({ order: order._id }, { stripeTransferId: 1, amountReversed: 1 }).lean();
  for (const t of reversalsByTransfer) {
    const ours = t.stripeTransferId ? ourTransfers.get(t.stripeTransferId) : undefined;
    if (ours) ours.reversed = t.amountReversed ?? 0;
  }
  for (const st of stripeTransfers) {
    const ours = ourTransfers.get(st.id);
    if (!ours) differences.push({ kind: 'transfer', id: st.id, ours: '—', stripe: `${st.amount}` });
    else if (ours.amount !== st.amount || ours.reversed !== st.amountReversed) differences.push({ kind: 'transfer', id: st.id, ours: `${ours.amount} (−${ours.reversed})`, stripe: `${st.amount} (−${st.amountReversed})` });
    ourTransfers.delete(st.id);
  }
  for (const [id, ours] of ourTransfers) differences.push({ kind: 'transfer', id, ours: `${ours.amount}`, stripe: '—' });

  if (order.payment?.paymentIntentId) {
    const stripeRefunds = await gateway.listRefunds(order.payment.paymentIntentId);
    const ourRefunds = new Map(refunds.filter((r) => r.stripeRefundId && r.status === 'succeeded').map((r) => [r.stripeRefundId!, r.amount]));
    for (const sr of stripeRefunds) {
      if (sr.status === 'failed' || sr.status === 'canceled') continue;
      const ours = ourRefunds.get(sr.id);
      if (ours === undefined) differences.push({ kind: 'refund', id: sr.id, ours: '—', stripe: `${sr.amount}` });
      else if (ours !== sr.amount) differences.push({ kind: 'refund', id: sr.id, ours: `${ours}`, stripe: `${sr.amount}` });
      ourRefunds.delete(sr.id);
    }
    for (const [id, amount] of ourRefunds) differences.push({ kind: 'refund', id, ours: `${amount}`, stripe: '—' });
  }
  if (balance.difference !== 0) differences.push({ kind: 'balance', id: order.number, ours: `${balance.difference}`, stripe: '0' });
  return { orderNumber: order.number, differences, balance };
}

/** The most recent paid orders, for the reconciliation page. */
export async function recentPaidOrders(limit = 50, coopId?: string): Promise<{ id: string; number: string; paidAt: Date }[]> {
  const q: Record<string, unknown> = { 'payment.paidAt': trusted({ $ne: null }) };
  if (coopId) q['coops.coop'] = new Types.ObjectId(coopId);
  const orders = await OrderModel.find(q, { number: 1, payment: 1 }).sort({ 'payment.paidAt': -1 }).limit(limit).lean();
  return orders.map((o) => ({ id: String(o._id), number: o.number, paidAt: o.payment.paidAt! }));
}
