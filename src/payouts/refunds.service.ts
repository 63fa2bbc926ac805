import { Types } from 'mongoose';
import { CoopModel } from '../coops/coop.model';
import { OrderModel, CoopShareModel, type Order } from '../orders';
import { StockLevelModel, stockChanged, stockId } from '../catalog';
import { PaymentProviderError, type PaymentGateway } from '../payments/gateway';
import { AppError, notFound } from '../platform/errors';
import { trusted } from '../platform/db';
import { claim, withLock } from '../platform/lock';
import { sendTemplate, type Mailer } from '../platform/mail';
import { audit } from '../admin/audit';
import { recordLedger } from './ledger.model';
import { recordOrderPaymentLedger } from './balances.service';
import { RefundModel, type RefundDoc } from './refund.model';
import { TransferModel, transferId } from './transfer.model';
import { recordTransferReversal } from './transfers.service';

export interface RefundDeps {
  gateway: PaymentGateway;
  mailer?: Mailer;
  /** Mail and restock come after the money and never undo it; their errors are reported here. */
  onError?: (err: unknown) => void;
}

export interface RefundRequest {
  orderId: string;
  /** From the confirmation form: the same request id twice is the same refund. */
  requestId: string;
  reason: string;
  mode: 'lines' | 'amounts';
  lines?: { index: number; quantity: number }[];
  amounts?: { coopId: string; cents: number }[];
  returnStock?: boolean;
}

export interface RefundableCoop {
  coopId: string;
  name: string;
  gross: number;
  net: number;
  refunded: number;
  remaining: number;
  reversedOrOwed: number;
}

export interface RefundableLine {
  index: number;
  coopId: string;
  name: { it: string; en: string };
  unitCents: number;
  quantity: number;
  refundedQty: number;
  remainingQty: number;
}

export interface Refundable {
  order: Order;
  total: number;
  refunded: number;
  remaining: number;
  coops: RefundableCoop[];
  lines: RefundableLine[];
  refunds: RefundDoc[];
}

const PAID = new Set(['paid', 'completed', 'refunded']);

/**
 * What is left to refund on an order, in all and per co-op and line.
 * Refunds that failed at Stripe do not count; pending ones do (they may
 * still go through), so the sum can never pass what was paid.
 */
export async function refundable(orderId: string): Promise<Refundable> {
  if (!Types.ObjectId.isValid(orderId)) throw notFound('order_not_found', 'No such order');
  const order = await OrderModel.findById(orderId).lean<Order>();
  if (!order) throw notFound('order_not_found', 'No such order');
  const [shares, refunds] = await Promise.all([
    CoopShareModel.find({ order: order._id }, { coop: 1, coopName: 1, subtotalCents: 1, shippingCents: 1, netCents: 1 }).lean(),
    RefundModel.find({ order: order._id }).sort({ createdAt: 1 }).lean(),
  ]);
  const counted = refunds.filter((r) => r.status !== 'failed');
  const coops = shares.map((s) => {
    const coopId = String(s.coop);
    const parts = counted.flatMap((r) => r.coops.filter((c) => String(c.coop) === coopId));
    const gross = s.subtotalCents + s.shippingCents;
    const refunded = parts.reduce((a, c) => a + c.amount, 0);
    return { coopId, name: s.coopName, gross, net: s.netCents, refunded, remaining: gross - refunded, reversedOrOwed: parts.reduce((a, c) => a + c.reversal, 0) };
  });
  const lines = order.lines.map((l, index) => {
    const refundedQty = counted.filter((r) => r.mode === 'lines').flatMap((r) => r.lines.filter((x) => x.index === index)).reduce((a, x) => a + x.quantity, 0);
    return { index, coopId: String(l.coop), name: l.name, unitCents: l.unitCents, quantity: l.quantity, refundedQty, remainingQty: l.quantity - refundedQty };
  });
  const refunded = counted.reduce((a, r) => a + r.amount, 0);
  return { order, total: order.totalCents, refunded, remaining: order.totalCents - refunded, coops, lines, refunds };
}

const tooMuch = (details: Record<string, unknown>) =>
  new AppError('refund_exceeds_remaining', 'This refund is more than what remains refundable', 422, { details });

/**
 * Turns a request into an amount per co-op, refusing anything beyond what
 * remains: a line's quantity, a co-op's part, the order's total.
 */
export function planRefund(r: Refundable, req: Pick<RefundRequest, 'mode' | 'lines' | 'amounts'>): { amount: number; coops: { coopId: string; amount: number }[]; lines: { index: number; quantity: number }[] } {
  const perCoop = new Map<string, number>();
  const lines: { index: number; quantity: number }[] = [];
  if (req.mode === 'lines') {
    for (const want of req.lines ?? []) {
      if (want.quantity <= 0) continue;
      const line = r.lines[want.index];
      if (!line) throw new AppError('refund_line_unknown', 'No such line', 422);
      if (want.quantity > line.remainingQty) throw tooMuch({ line: want.index, remainingQty: line.remainingQty });
      perCoop.set(line.coopId, (perCoop.get(line.coopId) ?? 0) + line.unitCents * want.quantity);
      lines.push({ index: want.index, quantity: want.quantity });
    }
  } else {
    for (const a of req.amounts ?? []) {
      if (a.cents <= 0) continue;
      if (!r.coops.some((c) => c.coopId === a.coopId)) throw new AppError('refund_coop_unknown', 'That co-op is not in this order', 422);
      perCoop.set(a.coopId, (perCoop.get(a.coopId) ?? 0) + a.cents);
    }
  }
  for (const [coopId, amount] of perCoop) {
    const c = r.coops.find((x) => x.coopId === coopId)!;
    if (amount > c.remaining) throw tooMuch({ coop: coopId, remaining: c.remaining });
  }
  const amount = [...perCoop.values()].reduce((a, b) => a + b, 0);
  if (amount <= 0) throw new AppError('refund_empty', 'Nothing to refund', 422);
  if (amount > r.remaining) throw tooMuch({ remaining: r.remaining });
  return { amount, coops: [...perCoop].map(([coopId, a]) => ({ coopId, amount: a })), lines };
}

/**
 * The part of a co-op's refund taken back from the co-op: in proportion to
 * what it was paid (net / gross), never more than what is left of its net.
 * The rest is the commission the platform gives back.
 */
export function reversalFor(c: Pick<RefundableCoop, 'gross' | 'net' | 'reversedOrOwed'>, amount: number): number {
  if (c.gross <= 0) return 0;
  return Math.max(0, Math.min(Math.round((amount * c.net) / c.gross), c.net - c.reversedOrOwed));
}

/**
 * Refunds (part of) a paid order. Under the order's refund lock: checks
 * what remains, inserts the refund document (its `_id` is the Stripe
 * idempotency key), then completes it (see `completeRefund`). A request id
 * seen before returns that refund instead of making a second one.
 */
export async function createRefund(actorId: string | null, req: RefundRequest, deps: RefundDeps): Promise<RefundDoc> {
  const id = `refund:${req.orderId}:${req.requestId}`;
  await recordOrderPaymentLedger(req.orderId);
  const doc = await withLock(
    `refund-order:${req.orderId}`,
    async () => {
      const existing = await RefundModel.findById(id).lean();
      if (existing) return { doc: existing, fresh: false };
      const r = await refundable(req.orderId);
      if (!PAID.has(r.order.status) || !r.order.payment?.paymentIntentId) throw new AppError('order_not_paid', 'Only a paid order can be refunded', 409);
      const plan = planRefund(r, req);
      const created = await RefundModel.create({
        _id: id,
        order: r.order._id,
        orderNumber: r.order.number,
        amount: plan.amount,
        reason: req.reason,
        mode: req.mode,
        lines: plan.lines,
        coops: plan.coops.map((p) => ({ coop: new Types.ObjectId(p.coopId), amount: p.amount, reversal: reversalFor(r.coops.find((c) => c.coopId === p.coopId)!, p.amount), outcome: 'pending' })),
        returnStock: !!req.returnStock && req.mode === 'lines',
        status: 'pending',
        createdBy: actorId ? new Types.ObjectId(actorId) : null,
      });
      // The Stripe refund is made under the lock, so a second refund of the order waits and sees it.
      return { doc: await completeRefund(created._id, deps), fresh: true };
    },
    { ttlMs: 120_000, waitMs: 15_000 },
  );
  if (doc.fresh) {
    await audit(actorId, 'order.refund', `order:${req.orderId}`, null, { refund: id, amount: doc.doc.amount, status: doc.doc.status, reason: req.reason, coops: doc.doc.coops.map((c) => ({ coop: String(c.coop), amount: c.amount, reversal: c.reversal, outcome: c.outcome })) });
    if (doc.doc.status === 'succeeded') await afterRefund(doc.doc, deps).catch((err: unknown) => deps.onError?.(err));
  }
  return doc.doc;
}

/**
 * Carries a refund as far as it goes; safe to call again (every write has a
 * key derived from the refund). Stripe refund first; then, per co-op, the
 * reversal of its transfer (`reversal:<refundId>:<coopId>`), or what it owes
 * when the transfer was not sent or cannot be reversed; and the ledger.
 */
export async function completeRefund(id: string, deps: RefundDeps): Promise<RefundDoc> {
  let doc = (await RefundModel.findById(id).lean())!;
  if (doc.status === 'failed') return doc;
  const order = await OrderModel.findById(doc.order, { number: 1, payment: 1 }).lean();
  if (doc.status === 'pending') {
    try {
      const r = await deps.gateway.createRefund({
        paymentIntentId: order!.payment!.paymentIntentId!,
        amount: doc.amount,
        reason: 'requested_by_customer',
        metadata: { orderId: String(doc.order), orderNumber: doc.orderNumber, refundId: id },
        idempotencyKey: id,
      });
      await RefundModel.updateOne({ _id: id }, { $set: { status: 'succeeded', stripeRefundId: r.id, error: '' } });
      await recordLedger({ _id: id, kind: 'refund', order: doc.order, orderNumber: doc.orderNumber, coop: null, amount: -doc.amount, stripeId: r.id, note: doc.reason.slice(0, 200) });
    } catch (err) {
      const e = err instanceof PaymentProviderError ? err : new PaymentProviderError('unexpected', String(err), true);
      // A refused refund frees what it reserved; one that may have gone through stays pending for a retry with the same key.
      await RefundModel.updateOne({ _id: id }, { $set: { status: e.retryable ? 'pending' : 'failed', error: `${e.code}: ${e.message}`.slice(0, 300) } });
      throw new AppError('refund_failed', `Stripe did not refund: ${e.code}`, 502, { cause: e, details: { code: e.code } });
    }
  }
  doc = (await RefundModel.findById(id).lean())!;
  const coops = doc.coops.map((c) => ({ ...c }));
  for (const part of coops) {
    if (part.outcome !== 'pending') continue;
    const coopId = String(part.coop);
    const commissionBack = part.amount - part.reversal;
    await recordLedger({ _id: `commission:${id}:${coopId}`, kind: 'commission', order: doc.order, orderNumber: doc.orderNumber, coop: part.coop, amount: -commissionBack });
    if (part.reversal <= 0) {
      part.outcome = 'none';
      continue;
    }
    const t = await TransferModel.findById(transferId(String(doc.order), coopId)).lean();
    // What can be taken back from this transfer (it may have been sent smaller, after netting).
    const reversible = t?.stripeTransferId && (t.status === 'sent' || t.status === 'reversed') ? Math.max(0, t.amount - (t.amountReversed ?? 0)) : 0;
    const toReverse = Math.min(part.reversal, reversible);
    let reversed = 0;
    if (toReverse > 0) {
      try {
        const rev = await deps.gateway.createReversal({
          transferId: t!.stripeTransferId!,
          amount: toReverse,
          metadata: { orderId: String(doc.order), coopId, refundId: id },
          idempotencyKey: `reversal:${id}:${coopId}`,
        });
        await recordLedger({ _id: `reversal:${id}:${coopId}`, kind: 'reversal', order: doc.order, orderNumber: doc.orderNumber, coop: part.coop, amount: -toReverse, stripeId: rev.id });
        await recordTransferReversal(t!.stripeTransferId!, (t!.amountReversed ?? 0) + toReverse, { orderId: String(doc.order), coopId });
        part.stripeReversalId = rev.id;
        reversed = toReverse;
      } catch (err) {
        if (!(err instanceof PaymentProviderError)) throw err;
        part.error = `${err.code}: ${err.message}`.slice(0, 300);
      }
    }
    if (reversed < part.reversal) {
      // Not transferred yet, more than the transfer holds, or the co-op's balance is short: it owes the rest, netted against its next transfers.
      await recordLedger({ _id: `owed:${id}:${coopId}`, kind: 'owed', order: doc.order, orderNumber: doc.orderNumber, coop: part.coop, amount: -(part.reversal - reversed), note: part.error ?? (reversible ? 'more than the transfer' : 'not transferred yet') });
    }
    part.outcome = reversed === part.reversal ? 'reversed' : 'owed';
  }
  await RefundModel.updateOne({ _id: id }, { $set: { coops } });
  return (await RefundModel.findById(id).lean())!;
}

/** Stock given back (once per refund and line) and the buyer and co-ops told. Best effort. */
async function afterRefund(doc: RefundDoc, deps: RefundDeps): Promise<void> {
  const order = await OrderModel.findById(doc.order).lean<Order>();
  if (!order) return;
  if (doc.returnStock) {
    const touched: string[] = [];
    for (const l of doc.lines) {
      const line = order.lines[l.index];
      if (!line || !(await claim(`restock:${doc._id}:${l.index}`))) continue;
      await StockLevelModel.updateOne({ _id: stockId(line.product, line.sku) }, { $inc: { onHand: l.quantity } });
      touched.push(String(line.product));
    }
    if (touched.length) await stockChanged(touched);
  }
  if (!deps.mailer) return;
  await sendTemplate(deps.mailer, {
    to: order.buyer.email,
    locale: order.buyer.locale,
    template: 'payouts/refund-buyer',
    subjectKey: 'admin.emails.refundBuyer.subject',
    data: { number: order.number, amount: doc.amount, reason: doc.reason },
  });
  const coops = await CoopModel.find({ _id: trusted({ $in: doc.coops.map((c) => c.coop) }) }, { name: 1, contact: 1 }).lean();
  for (const part of doc.coops) {
    const coop = coops.find((c) => String(c._id) === String(part.coop));
    if (!coop?.contact?.email) continue;
    await sendTemplate(deps.mailer, {
      to: coop.contact.email,
      locale: 'it',
      template: 'payouts/refund-coop',
      subjectKey: 'admin.emails.refundCoop.subject',
      data: { number: order.number, amount: part.amount, reversal: part.reversal, owed: part.outcome === 'owed', reason: doc.reason, coopName: coop.name },
    });
  }
}

/**
 * Tries a refund left pending again (Stripe did not answer, or the process
 * stopped half way): the same keys, so nothing is done twice.
 */
export async function retryRefund(actorId: string | null, id: string, deps: RefundDeps): Promise<RefundDoc> {
  const doc = await RefundModel.findById(id, { order: 1, status: 1, coops: 1 }).lean();
  if (!doc) throw notFound('refund_not_found', 'No such refund');
  if (doc.status === 'failed' || (doc.status === 'succeeded' && doc.coops.every((c) => c.outcome !== 'pending'))) throw new AppError('refund_not_pending', 'This refund is not pending', 409);
  const after = await withLock(`refund-order:${String(doc.order)}`, () => completeRefund(id, deps), { ttlMs: 120_000, waitMs: 15_000 });
  await audit(actorId, 'order.refund_retry', `order:${String(doc.order)}`, { refund: id, status: doc.status }, { refund: id, status: after.status });
  if (doc.status === 'pending' && after.status === 'succeeded') await afterRefund(after, deps).catch((err: unknown) => deps.onError?.(err));
  return after;
}
