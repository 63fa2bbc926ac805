import { createHash, randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { clearCart } from '../cart';
import { CoopModel } from '../coops/coop.model';
import type { Config } from '../platform/config';
import { trusted } from '../platform/db';
import { notFound } from '../platform/errors';
import type { Logger } from '../platform/logger';
import { withLock } from '../platform/lock';
import { sendTemplate, type Mailer } from '../platform/mail';
import { registerSweeper } from '../platform/sweepers';
import type { MarkOrderPaidInput, ReleaseOrderInput } from '../payments/orders-port';
import { recordLedger } from '../payouts/ledger.model';
import { scheduleTransfersForOrder } from '../payouts/transfers.service';
import { CoopShareModel, type CoopShare } from './coop-share.model';
import { OrderKeyModel, OrderModel, type Order } from './order.model';
import { ReservationModel } from './reservation.model';
import { ordersWithStaleReservations, releaseReservations, sellReservations } from './reservations.service';
import { assertShareMove, type ShareStatus } from './states';
import { signalStockChanged } from './stock-signal';

/** What the orders feature needs from the app to send mail after a payment. Set once by checkoutRoutes (or a test). */
export interface OrdersDeps {
  mailer: Mailer;
  config: Pick<Config, 'publicUrl'>;
  logger?: Logger;
}

let deps: OrdersDeps | null = null;
export function configureOrders(d: OrdersDeps): void {
  deps = d;
}

const ORDER_LOCK = { ttlMs: 30_000, waitMs: 15_000 };
export const orderLockKey = (orderId: string | Types.ObjectId) => `order:${String(orderId)}`;

/**
 * A guest's link token: 32 random bytes (256 bits), base64url. The lookup
 * key is its sha256 (order_keys `token:<hash>`); the order keeps the token
 * itself so the paid-order mail can carry the link.
 */
export function newViewToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashViewToken(token) };
}
export const hashViewToken = (token: string) => createHash('sha256').update(token).digest('hex');

const asId = (id: string | Types.ObjectId): Types.ObjectId | null =>
  id instanceof Types.ObjectId ? id : Types.ObjectId.isValid(id) && /^[a-f\d]{24}$/i.test(id) ? new Types.ObjectId(id) : null;

/** The stock ids of an order's lines: its reservations' `_id`s are derived from them. */
const stockIdsOf = (order: Pick<Order, 'lines'>) => order.lines.map((l) => `${String(l.product)}:${l.sku}`);
const shareIdsOf = (order: Pick<Order, '_id' | 'coops'>) => order.coops.map((c) => `${String(order._id)}:${String(c.coop)}`);

/**
 * Moves the order's shares that are in `from` to `to`. Read, then write by
 * `_id` alone (a filter with more fields scans on FerretDB). Callers hold
 * the order's lock; shares in `from` change only under it.
 */
async function moveShares(order: Pick<Order, '_id' | 'coops'>, from: ShareStatus, to: ShareStatus, at: Date): Promise<void> {
  for (const id of shareIdsOf(order)) {
    const share = await CoopShareModel.findById(id, { status: 1 }).lean();
    if (share?.status !== from) continue;
    await CoopShareModel.updateOne({ _id: id }, { $set: { status: to }, $push: { history: { status: to, at, by: null } } });
  }
}

/** One order by id, or null. */
export async function getOrder(orderId: string | Types.ObjectId): Promise<Order | null> {
  const id = asId(orderId);
  return id ? OrderModel.findById(id).lean<Order>() : null;
}

/** The co-op shares of an order. */
export async function sharesForOrder(orderId: string | Types.ObjectId): Promise<CoopShare[]> {
  const id = asId(orderId);
  if (!id) return [];
  const order = await OrderModel.findById(id, { coops: 1 }).lean();
  if (!order) return [];
  // Each share is addressed by `_id` ("<orderId>:<coopId>"): indexed reads on every engine.
  const shares = await Promise.all(order.coops.map((c) => CoopShareModel.findById(`${String(id)}:${String(c.coop)}`).lean<CoopShare>()));
  return shares.filter((s): s is CoopShare => !!s);
}

/** One co-op share by its id ("<orderId>:<coopId>"). */
export async function getShare(shareId: string): Promise<CoopShare | null> {
  return CoopShareModel.findById(shareId).lean<CoopShare>();
}

/** The order behind a guest link, or null. */
export async function orderByViewToken(token: string): Promise<Order | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const key = await OrderKeyModel.findById(`token:${hashViewToken(token)}`).lean();
  return key ? getOrder(key.order) : null;
}

/**
 * A signed-in buyer's orders, newest first (the ones they started paying for).
 * On FerretDB's SQLite backend this filter reads the collection; a per-user
 * list document would avoid that if order volume made it matter.
 */
export async function ordersForUser(userId: string, limit = 50): Promise<Order[]> {
  const id = asId(userId);
  if (!id) return [];
  return OrderModel.find({ 'buyer.user': id }, { number: 1, status: 1, totalCents: 1, createdAt: 1, coops: 1, payment: 1 })
    .sort({ createdAt: -1 })
    .limit(limit)
    .lean<Order[]>();
}

/** The contract with payments (it calls these two): the input types are theirs. */
export type { MarkOrderPaidInput, ReleaseOrderInput } from '../payments/orders-port';

export type MarkPaidResult = { status: 'paid' | 'already_paid' | 'flagged'; order: Order };

/**
 * The buyer has paid (a webhook or the demo page says so). Idempotent and
 * safe out of order: under the order's lock, an order already paid is left
 * alone; an amount or currency that does not match the order flags it and
 * does not fulfil it. Otherwise: the charge goes in the ledger, held stock
 * becomes sold, the order and its shares become paid, the transfers are
 * scheduled, and the buyer and each co-op get their mail.
 */
export async function markOrderPaid(input: MarkOrderPaidInput): Promise<MarkPaidResult> {
  const orderId = asId(input.orderId);
  if (!orderId) throw notFound('order_not_found', 'No such order');
  const result = await withLock(
    orderLockKey(orderId),
    async (): Promise<MarkPaidResult> => {
      const order = await OrderModel.findById(orderId).lean<Order>();
      if (!order) throw notFound('order_not_found', 'No such order');
      if (order.status === 'paid' || order.status === 'completed' || order.status === 'refunded') return { status: 'already_paid', order };
      const flags = new Set(order.flags ?? []);
      if (input.amount !== order.totalCents || input.currency.toLowerCase() !== order.currency.toLowerCase()) {
        flags.add('amount_mismatch');
        await OrderModel.updateOne({ _id: orderId }, { $set: { flags: [...flags] } });
        deps?.logger?.error({ orderId: String(orderId), amount: input.amount, currency: input.currency, expected: order.totalCents }, 'paid amount does not match the order');
        return { status: 'flagged', order: { ...order, flags: [...flags] } };
      }
      const now = new Date();
      await recordLedger({
        _id: `charge:${String(orderId)}`,
        kind: 'charge',
        order: orderId,
        orderNumber: order.number,
        coop: null,
        amount: order.totalCents,
        currency: order.currency,
        stripeId: input.chargeId ?? input.paymentIntentId,
      });
      const { missing } = await sellReservations(orderId, stockIdsOf(order));
      // Paid after its stock was given back (the session outlived the hold): keep the money, flag it for a person.
      if (missing > 0 || order.status === 'cancelled') flags.add('paid_after_release');
      const payment = {
        ...order.payment,
        sessionId: input.sessionId || order.payment?.sessionId,
        paymentIntentId: input.paymentIntentId,
        chargeId: input.chargeId,
        paidAt: now,
      };
      await moveShares(order, 'pending_payment', 'paid', now);
      await OrderModel.updateOne({ _id: orderId }, { $set: { status: 'paid', payment, flags: [...flags] } });
      return { status: 'paid', order: { ...order, status: 'paid', payment, flags: [...flags] } };
    },
    ORDER_LOCK,
  );
  if (result.status !== 'paid') return result;
  // After the lock: transfers are once-only on their own, and mail is best effort (logged, never undoes the payment).
  await scheduleTransfersForOrder(String(orderId)).catch((err: unknown) => deps?.logger?.error({ err, orderId: String(orderId) }, 'scheduling transfers failed'));
  await sendPaidMails(result.order).catch((err: unknown) => deps?.logger?.error({ err, orderId: String(orderId) }, 'order mails failed'));
  // A signed-in buyer who paid but never came back to our success page should not find the same goods in the cart.
  const buyer = result.order.buyer.user;
  if (buyer) await clearCart({ userId: String(buyer), session: {} }).catch(() => undefined);
  return result;
}

/** The buyer's receipt, and each co-op's "new order" mail with only its lines. */
async function sendPaidMails(order: Order): Promise<void> {
  if (!deps) return;
  const { mailer, config } = deps;
  const shares = await sharesForOrder(order._id);
  await sendTemplate(mailer, {
    to: order.buyer.email,
    locale: order.buyer.locale,
    template: 'orders/confirmation',
    subjectKey: 'orders.emails.confirmation.subject',
    data: { number: order.number, order, shares, publicUrl: config.publicUrl },
  });
  for (const share of shares) {
    const coop = await CoopModel.findById(share.coop, { contact: 1, name: 1 }).lean();
    const to = coop?.contact?.email;
    if (!to) continue;
    await sendTemplate(mailer, {
      to,
      locale: 'it',
      template: 'orders/coop-new-order',
      subjectKey: 'orders.emails.coopNewOrder.subject',
      data: {
        number: order.number,
        share,
        lines: order.lines.filter((l) => String(l.coop) === String(share.coop)),
        address: share.delivery === 'ship' ? order.address : null,
        publicUrl: config.publicUrl,
      },
    });
  }
}

export type ReleaseReason = 'expired' | 'cancelled' | 'failed' | 'payment_failed' | 'stale';

/**
 * The checkout ended without payment: held stock goes back and an unpaid
 * order becomes cancelled. Idempotent; a paid order is never cancelled.
 */
export async function releaseOrder(input: ReleaseOrderInput): Promise<{ released: number; status: string | null }> {
  const orderId = asId(input.orderId);
  if (!orderId) return { released: 0, status: null };
  const out: { released: number; status: string | null; productIds: string[] } = await withLock(
    orderLockKey(orderId),
    async () => {
      const order = await OrderModel.findById(orderId, { status: 1, payment: 1, lines: 1, coops: 1 }).lean<Order>();
      // A newer session of the same order (a retry) is not ended by an old session's expiry.
      if (order && input.sessionId && order.payment?.sessionId && order.payment.sessionId !== input.sessionId) {
        return { released: 0, status: order.status as string, productIds: [] as string[] };
      }
      if (order && order.status !== 'pending_payment') return { released: 0, status: order.status as string, productIds: [] as string[] };
      const released = await releaseReservations(orderId, order ? stockIdsOf(order) : undefined);
      if (order) {
        // The order first, then its shares, each read before it moves: after a crash between two of
        // these writes (here or in markOrderPaid) the shares are left as they were, never moved blindly.
        await OrderModel.updateOne({ _id: orderId }, { $set: { status: 'cancelled', cancelReason: String(input.reason) } });
        await moveShares(order, 'pending_payment', 'cancelled', new Date());
      }
      return { released, status: order ? 'cancelled' : null, productIds: order ? order.lines.map((l) => String(l.product)) : [] };
    },
    ORDER_LOCK,
  );
  if (out.released) signalStockChanged(out.productIds);
  return { released: out.released, status: out.status };
}

/**
 * Moves a co-op share along its fulfilment (preparing, shipped, delivered,
 * ready for pickup, collected). The caller has checked the user's role in
 * the co-op; here the share must belong to `coopId` and the move be legal
 * (`illegal_transition`, 409). Under the share's lock, so two clicks do
 * not both apply.
 */
export async function transitionShare(shareId: string, to: ShareStatus, opts: { coopId: string; by?: string }): Promise<CoopShare> {
  const updated = await withLock(
    `share:${shareId}`,
    async () => {
      const share = await CoopShareModel.findById(shareId).lean<CoopShare>();
      if (!share || String(share.coop) !== opts.coopId) throw notFound('share_not_found', 'No such order for this co-op');
      assertShareMove(share.status, to, share.delivery);
      const entry = { status: to, at: new Date(), by: opts.by && Types.ObjectId.isValid(opts.by) ? new Types.ObjectId(opts.by) : null };
      await CoopShareModel.updateOne({ _id: shareId }, { $set: { status: to }, $push: { history: entry } });
      return { ...share, status: to, history: [...share.history, entry] };
    },
    { ttlMs: 10_000, waitMs: 5_000 },
  );
  await maybeCompleteOrder(updated.order);
  return updated;
}

/** When every share has reached the buyer, the order is completed. */
async function maybeCompleteOrder(orderId: Types.ObjectId): Promise<void> {
  const shares = await sharesForOrder(orderId);
  if (!shares.length || !shares.every((s) => s.status === 'delivered' || s.status === 'collected')) return;
  await withLock(orderLockKey(orderId), async () => {
    const order = await OrderModel.findById(orderId, { status: 1 }).lean();
    if (order?.status === 'paid') await OrderModel.updateOne({ _id: orderId }, { $set: { status: 'completed' } });
  }, ORDER_LOCK);
}

/** Releases holds whose checkout is long over (a lost webhook, a crashed process). */
export async function sweepStaleReservations(now = new Date()): Promise<number> {
  const orders = await ordersWithStaleReservations(now);
  for (const id of orders) await releaseOrder({ orderId: String(id), reason: 'stale' });
  return orders.length;
}

/**
 * The sweeper is the safety net: a session's expiry event (or the demo
 * provider's) gives a hold back on time, and a hold outlives its session
 * by HOLD_GRACE_MS anyway. Every 10 minutes is enough for that, and on
 * FerretDB its query reads every reservation ever made (only `_id`
 * filters use an index there): once a minute, that scan was the largest
 * stall left in a steady checkout load.
 */
const STALE_SWEEP_MS = 10 * 60_000;
registerSweeper({ name: 'stale-reservations', everyMs: STALE_SWEEP_MS, run: () => sweepStaleReservations() });

/** Units held or sold for an order, by stock item (tests and support). */
export async function reservationsOf(orderId: string | Types.ObjectId) {
  const id = asId(orderId);
  return id ? ReservationModel.find({ order: id }).lean() : [];
}

/** Share states from which a full refund moves a share to `refunded` (states.ts allows each). */
const REFUNDABLE_SHARES: ShareStatus[] = ['paid', 'preparing', 'shipped', 'delivered', 'ready_for_pickup', 'collected'];

/**
 * A full refund of these co-ops' shares: each share moves to `refunded`
 * (one conditional update, `{ _id, status: $in allowed }`, so a repeat or a
 * concurrent fulfilment step cannot undo it), and when every share of the
 * order is refunded the order moves to `refunded` the same way. Idempotent.
 */
export async function markRefunded(orderId: string, coopIds: string[]): Promise<void> {
  const id = asId(orderId);
  if (!id) return;
  for (const coopId of coopIds) {
    await CoopShareModel.updateOne(
      { _id: `${String(id)}:${coopId}`, status: trusted({ $in: REFUNDABLE_SHARES }) },
      { $set: { status: 'refunded' }, $push: { history: { status: 'refunded', at: new Date(), by: null } } },
    );
  }
  const shares = await sharesForOrder(id);
  if (shares.length && shares.every((s) => s.status === 'refunded')) {
    await OrderModel.updateOne({ _id: id, status: trusted({ $in: ['paid', 'completed'] }) }, { $set: { status: 'refunded' } });
  }
}
