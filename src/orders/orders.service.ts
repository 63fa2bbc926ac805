import { Types } from 'mongoose';
import { clearCart } from '../cart';
import { findCoop } from '../coops';
import type { Config } from '../platform/config';
import { trusted } from '../platform/db';
import { conflict, notFound } from '../platform/errors';
import type { EventBus } from '../platform/events';
import type { Job } from '../platform/jobs';
import type { Logger } from '../platform/logger';
import { claim, unclaim } from '../platform/claims';
import { sendTemplate, type Mailer } from '../platform/mail';
import { PaymentProviderError, type CheckoutEnded, type CheckoutPaid, type CompletedCheckout, type PaymentGateway } from '../payments';
import { CoopShareModel, sharePaid, type CoopShare } from './coop-share.model';
import { OrderModel, type LatePaymentState, type Order } from './order.model';
import { ReservationModel } from './reservation.model';
import {
  interruptedSalesJob,
  ordersWithStaleReservations,
  releaseReservations,
  reserveStock,
  sellReservations,
} from './reservations.service';
import { asId, sharesForOrder } from './order-queries';
import { createCheckout, type CommissionFor } from './checkout.service';
import { createOrderNumbers } from './order-number';
import { assertShareMove, type ShareStatus } from './states';
import { signalStockChanged } from '../catalog';
import { markUsesPaid, releaseUses } from '../promotions';
import { DEFAULT_COMPANY, type Legal } from '../legal';

/**
 * What orders tells payouts (above it), which listens when the app is
 * composed. Each is awaited, so a listener that throws fails the step
 * that emitted it, as the direct call did, and the same idempotent path
 * finishes it when it runs again.
 */
declare module '../platform/events' {
  interface DomainEvents {
    /** Money for the order came in (paid, or paid late): its charge and commissions go in the ledger before anything else moves. */
    'order.payment_received': { orderId: string };
    /** The order and its shares are paid: the co-ops' transfers may be scheduled. */
    'order.paid': { orderId: string };
    /**
     * A payment for a cancelled order whose stock is gone: refund the buyer
     * these amounts per co-op, once per `requestId`. The listener throws
     * unless the refund went through (`late_refund_failed`).
     */
    'order.late_refund_due': { orderId: string; requestId: string; reason: string; amounts: { coopId: string; cents: number }[] };
  }
}

/** The steps of a late payment's settlement, named for the test seam `onStep`. */
export type LateStep = 'claimed' | 'stock_taken' | 'refund_created';

/** What the orders feature is built from (createApp, or a test). */
export interface OrdersDeps {
  mailer: Mailer;
  config: Pick<Config, 'publicUrl' | 'commissionBps'>;
  logger?: Logger;
  /** Creates and expires Checkout Sessions (a released hold's session is expired). */
  payments: PaymentGateway;
  /** The app's bus: payouts hears of payments and late refunds through it. */
  events: EventBus;
  /** The commission rates in force (payouts' table), given by the composition. */
  commissionFor: CommissionFor;
  /** The platform's company data, named in the receipts (a test may leave it out: the defaults are shown). */
  legal?: Pick<Legal, 'company'>;
  /** Tests only: called after each step of a late payment's settlement; a throw there stands for a crash. */
  onStep?: (step: LateStep, orderId: string) => void | Promise<void>;
}

/** What payments reports when an order's session was paid (it emits; orders listens). */
export type MarkOrderPaidInput = CheckoutPaid;
/** `sessionId`: the session that ended; an order with a newer session (a retry) is left alone. */
export type ReleaseOrderInput = { orderId: string; sessionId?: string; reason: CheckoutEnded['reason'] | ReleaseReason };

/** The stock ids of an order's lines: its reservations' `_id`s are derived from them. */
const stockIdsOf = (order: Pick<Order, 'lines'>) => order.lines.map((l) => `${String(l.product)}:${l.sku}`);
const shareIdsOf = (order: Pick<Order, '_id' | 'coops'>) => order.coops.map((c) => `${String(order._id)}:${String(c.coop)}`);
/** The holds an order's stock is sold from: its own, or those a late payment took again. */
const holdsOf = (order: Pick<Order, '_id' | 'latePayment'>) => order.latePayment?.holdId ?? order._id;

/**
 * Moves the order's shares that are in `from` to `to`, each by a guarded
 * update on its `_id` (`{ _id, status: from }`): a share another writer
 * moved meanwhile is left as it is, and running this twice moves nothing
 * twice.
 */
async function moveShares(order: Pick<Order, '_id' | 'coops'>, from: ShareStatus, to: ShareStatus, at: Date): Promise<void> {
  await Promise.all(
    shareIdsOf(order).map((id) =>
      CoopShareModel.updateOne({ _id: id, status: from }, { $set: { status: to }, $push: { history: { status: to, at, by: null } } }),
    ),
  );
}

/**
 * paid: this call moved the order to paid (also a late payment whose stock
 * was taken again); already_paid: it was paid before; flagged: the amount
 * does not match; refunded: a late payment whose stock was gone, refunded.
 */
export type MarkPaidResult = { status: 'paid' | 'already_paid' | 'flagged' | 'refunded'; order: Order };

const SOLD = new Set(['paid', 'completed', 'refunded']);

function paymentOf(order: Order, input: MarkOrderPaidInput, at: Date): Order['payment'] {
  return {
    ...order.payment,
    sessionId: input.sessionId || order.payment?.sessionId,
    paymentIntentId: input.paymentIntentId ?? order.payment?.paymentIntentId,
    chargeId: input.chargeId ?? order.payment?.chargeId,
    paidAt: order.payment?.paidAt ?? at,
  };
}

/** How long a worker settling a late payment owns it before a redelivery may take over (it died). */
const LATE_LEASE_MS = 60_000;
/** How long a second caller waits for the owner to finish before answering "in progress". */
const LATE_WAIT_MS = 8_000;
/** Retaken holds live this long; the `stale-reservations` job gives them back if a dead worker left them. */
const RETAKE_HOLD_MS = 10 * 60_000;
/** The request id of the refund of a late payment: one refund per order, whoever asks. */
export const LATE_REFUND_REQUEST = 'late-payment';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Takes the lease of a late payment in `state` when nobody holds it (a guarded update): true for one caller. */
async function takeLease(orderId: Types.ObjectId, state: LatePaymentState): Promise<Order | null> {
  const now = new Date();
  return OrderModel.findOneAndUpdate(
    { _id: orderId, 'latePayment.state': state, 'latePayment.leaseUntil': trusted({ $lte: now }) },
    { $set: { 'latePayment.leaseUntil': new Date(now.getTime() + LATE_LEASE_MS) } },
    { returnDocument: 'after' },
  ).lean<Order>();
}

/** Gives the lease back at once (the worker failed and knows it), so the next delivery need not wait. */
async function dropLease(orderId: Types.ObjectId): Promise<void> {
  await OrderModel.updateOne({ _id: orderId }, { $set: { 'latePayment.leaseUntil': new Date(0) } }).catch(() => undefined);
}

export type ReleaseReason = 'expired' | 'cancelled' | 'failed' | 'payment_failed' | 'stale';

/** Reasons whose session can no longer be paid anyway: it expired, or its delayed payment failed. */
const SESSION_ALREADY_OVER = new Set(['expired', 'payment_failed']);

/**
 * The stale-hold job is the safety net: a session's expiry event (or the demo
 * provider's) gives a hold back on time, and a hold outlives its session
 * by HOLD_GRACE_MS anyway. Every 10 minutes is enough for that, and its
 * query reads the holds of every stock level (the truth of what is held):
 * once a minute, such a scan was the largest stall left in a steady
 * checkout load.
 */
const STALE_SWEEP_MS = 10 * 60_000;

/**
 * The orders feature's flows that need the app's services: checkout,
 * payment, release of holds, late payments. Built once by createApp (tests
 * build their own); no module state.
 */
export function createOrders(deps: OrdersDeps) {
  const { events } = deps;
  const checkout = createCheckout({
    payments: deps.payments,
    commissionFor: deps.commissionFor,
    commissionDefaultBps: deps.config.commissionBps,
    publicUrl: deps.config.publicUrl,
    numbers: createOrderNumbers(),
  });

  /**
   * The buyer has paid (a webhook, the success page or the demo page says
   * so). Idempotent and safe out of order and under concurrency:
   * - an amount or currency that does not match flags the order and does
   *   not fulfil it;
   * - a pending order moves to paid by one guarded update (`{ _id, status:
   *   'pending_payment' }`): of concurrent calls, and of a payment racing a
   *   release, exactly one moves it. Then `settlePaid` does the rest;
   * - an order already paid gets `settlePaid` again until it has finished
   *   (a crash between the two is healed by the redelivered event);
   * - a cancelled order (the payment came after its hold was released)
   *   takes its stock again or is refunded: `settleLatePayment`.
   */
  async function markOrderPaid(input: MarkOrderPaidInput): Promise<MarkPaidResult> {
    const orderId = asId(input.orderId);
    if (!orderId) throw notFound('order_not_found', 'No such order');
    // At most a few rounds: each one either ends or follows a move another writer made.
    for (let round = 0; round < 4; round++) {
      const order = await OrderModel.findById(orderId).lean<Order>();
      if (!order) throw notFound('order_not_found', 'No such order');
      if (SOLD.has(order.status)) {
        // A paid order whose settlement stopped midway (a crash) is finished here; one shipped or refunded since is not touched.
        if (order.status === 'paid' && !order.payment?.settledAt) await settlePaid(order);
        return { status: 'already_paid', order };
      }
      if (input.amount !== order.totalCents || input.currency.toLowerCase() !== order.currency.toLowerCase()) {
        await OrderModel.updateOne({ _id: orderId }, { $addToSet: { flags: 'amount_mismatch' } });
        deps.logger?.error(
          { orderId: String(orderId), amount: input.amount, currency: input.currency, expected: order.totalCents },
          'paid amount does not match the order',
        );
        const flags = [...new Set([...(order.flags ?? []), 'amount_mismatch'])];
        return { status: 'flagged', order: { ...order, flags } };
      }
      if (order.status === 'cancelled') return settleLatePayment(order, input);
      const moved = await OrderModel.findOneAndUpdate(
        { _id: orderId, status: 'pending_payment' },
        { $set: { status: 'paid', payment: { ...paymentOf(order, input, new Date()), settlingSince: new Date() } } },
        { returnDocument: 'after' },
      ).lean<Order>();
      if (!moved) continue; // someone else moved it first (paid, or a release cancelled it): follow their move
      await settlePaid(moved);
      return { status: 'paid', order: moved };
    }
    throw conflict('order_busy', 'The order kept changing; try again');
  }

  /**
   * What follows a payment, each step once however often it runs: the held
   * stock becomes sold, the charge and each co-op's commission go in the
   * ledger (keyed by order and co-op, in this same step, so a paid order is
   * never seen without its commission), the shares become paid, the
   * transfers are scheduled, and the buyer and each co-op get their mail
   * (claimed once). `payment.settledAt` says it is all done.
   */
  async function settlePaid(order: Order): Promise<void> {
    const orderId = String(order._id);
    const now = new Date();
    const { missing } = await sellReservations(holdsOf(order), stockIdsOf(order));
    // Paid although its holds were given back (an order paid before guarded states existed): for a person to look at.
    if (missing > 0) await OrderModel.updateOne({ _id: order._id }, { $addToSet: { flags: 'paid_after_release' } });
    // Payouts records the charge and the commissions, before any share shows paid.
    await events.emit('order.payment_received', { orderId });
    await moveShares(order, 'pending_payment', 'paid', now);
    if (order.latePayment?.state === 'retaken') await moveShares(order, 'cancelled', 'paid', now);
    // Its promotions' uses are now sales in their reports (and never given back).
    await markUsesPaid(orderId);
    // Payouts schedules the transfers (once-only on their own); like the mail, a failure is logged and never undoes the payment.
    await events
      .emit('order.paid', { orderId })
      .catch((err: unknown) => deps.logger?.error({ err, orderId }, 'scheduling transfers failed'));
    // Mail only for a payment this code moved to paid (`settlingSince`): an order paid before had its mail then.
    if (order.payment?.settlingSince && (await claim(`mail:paid:${orderId}`))) {
      await sendPaidMails(order).catch(async (err: unknown) => {
        await unclaim(`mail:paid:${orderId}`).catch(() => undefined);
        deps.logger?.error({ err, orderId }, 'order mails failed');
      });
    }
    // A signed-in buyer who paid but never came back to our success page should not find the same goods in the cart.
    if (order.buyer.user) await clearCart({ userId: String(order.buyer.user), session: {} }).catch(() => undefined);
    await OrderModel.updateOne({ _id: order._id }, { $set: { 'payment.settledAt': now } });
  }

  /**
   * A payment for an order that was cancelled meanwhile (its session stayed
   * payable after the hold was released, or a delayed method such as SEPA
   * succeeded after the `stale-reservations` job cancelled it). The buyer's money
   * is real, so:
   * 1. the payment is claimed once on the order (`latePayment`, a guarded
   *    update on a cancelled order without one) and the charge recorded;
   * 2. its stock is taken again, all lines or none, under a new hold id so
   *    the holds never mix with the released ones (reserveStock, then
   *    sellReservations); the order and its shares move on to paid and it
   *    is settled like any paid order: the co-ops see it;
   * 3. or, when the stock is gone, the buyer is refunded in full
   *    (by payouts, request id `late-payment`: one refund whoever asks)
   *    and mailed once.
   * One worker at a time holds the lease; another caller waits for it, and
   * takes over when the lease ran out (its worker died). Each step checks
   * what the one before left, so a redelivered event finishes a settlement
   * that stopped midway without doing anything twice.
   */
  async function settleLatePayment(first: Order, input: MarkOrderPaidInput): Promise<MarkPaidResult> {
    const orderId = first._id;
    let order: Order | null = first;
    if (!order.latePayment) {
      const now = new Date();
      order =
        (await OrderModel.findOneAndUpdate(
          { _id: orderId, status: 'cancelled', 'latePayment.state': trusted({ $exists: false }) },
          {
            $set: {
              payment: paymentOf(order, input, now),
              latePayment: {
                state: 'retaking',
                at: now,
                holdId: new Types.ObjectId(),
                leaseUntil: new Date(now.getTime() + LATE_LEASE_MS),
              },
            },
            $addToSet: { flags: 'paid_after_cancel' },
          },
          { returnDocument: 'after' },
        ).lean<Order>()) ?? null;
      if (order) {
        deps.logger?.warn({ orderId: String(orderId) }, 'payment for a cancelled order: taking its stock again');
        return runLate(order);
      }
    }
    // Someone else claimed it: wait for them, or take over when their lease runs out.
    const deadline = Date.now() + LATE_WAIT_MS;
    for (;;) {
      order = await OrderModel.findById(orderId).lean<Order>();
      if (!order?.latePayment) throw conflict('order_busy', 'The order kept changing; try again');
      const state = order.latePayment.state;
      if (state === 'retaken') return markOrderPaid(input);
      if (state === 'refunded') return { status: 'refunded', order };
      const mine = await takeLease(orderId, state);
      if (mine) return runLate(mine);
      if (Date.now() > deadline) throw conflict('late_payment_in_progress', 'This payment is being settled');
      await sleep(100);
    }
  }

  /** Runs a late payment on from the state it is in; the caller holds the lease. */
  async function runLate(order: Order): Promise<MarkPaidResult> {
    try {
      await events.emit('order.payment_received', { orderId: String(order._id) });
      await deps.onStep?.('claimed', String(order._id));
      if (order.latePayment!.state === 'retaking') {
        const next = await retakeStock(order);
        if (next.status === 'paid') {
          await settlePaid(next);
          return { status: 'paid', order: next };
        }
        order = next;
      }
      return await refundLatePayment(order);
    } catch (err) {
      await dropLease(order._id);
      throw err;
    }
  }

  /**
   * Takes the order's stock again under its late hold id, all lines or
   * none, and moves the order to paid; or moves it on to refunding when a
   * line is gone. Holds a dead worker left half made are given back first
   * and the next attempt uses a new hold id (a hold id's reservations are
   * made once).
   */
  async function retakeStock(order: Order): Promise<Order> {
    const orderId = order._id;
    let holdId = order.latePayment!.holdId;
    const stockIds = stockIdsOf(order);
    const existing = await ReservationModel.find(
      { _id: trusted({ $in: [...new Set(stockIds)].map((s) => `${String(holdId)}|${s}`) }) },
      { state: 1 },
    ).lean();
    const taken = existing.length === new Set(stockIds).size && existing.every((r) => r.state === 'held' || r.state === 'sold');
    if (!taken) {
      if (existing.length) {
        await releaseReservations(holdId, stockIds);
        holdId = new Types.ObjectId();
        const rotated = await OrderModel.updateOne(
          { _id: orderId, 'latePayment.state': 'retaking' },
          { $set: { 'latePayment.holdId': holdId } },
        );
        if (rotated.modifiedCount === 0) throw conflict('order_busy', 'The order kept changing; try again');
      }
      try {
        await reserveStock(
          holdId,
          order.lines.map((l) => ({ stockId: `${String(l.product)}:${l.sku}`, quantity: l.quantity })),
          new Date(Date.now() + RETAKE_HOLD_MS),
        );
      } catch (err) {
        if ((err as { code?: string }).code !== 'out_of_stock') throw err;
        const refunding = await OrderModel.findOneAndUpdate(
          { _id: orderId, 'latePayment.state': 'retaking' },
          { $set: { 'latePayment.state': 'refunding', 'latePayment.refundId': `refund:${String(orderId)}:${LATE_REFUND_REQUEST}` } },
          { returnDocument: 'after' },
        ).lean<Order>();
        if (!refunding) throw conflict('order_busy', 'The order kept changing; try again');
        deps.logger?.warn({ orderId: String(orderId) }, 'payment for a cancelled order whose stock is gone: refunding it');
        return refunding;
      }
      signalStockChanged(order.lines.map((l) => String(l.product)));
    }
    await deps.onStep?.('stock_taken', String(orderId));
    await sellReservations(holdId, stockIds);
    const paid = await OrderModel.findOneAndUpdate(
      { _id: orderId, status: 'cancelled', 'latePayment.state': 'retaking' },
      {
        $set: { status: 'paid', 'latePayment.state': 'retaken', 'latePayment.holdId': holdId, 'payment.settlingSince': new Date() },
        $unset: { cancelReason: 1 },
      },
      { returnDocument: 'after' },
    ).lean<Order>();
    if (!paid) throw conflict('order_busy', 'The order kept changing; try again');
    return paid;
  }

  /**
   * Refunds a late payment in full through payouts (`order.late_refund_due`,
   * request id `late-payment`, so one refund and one Stripe idempotency key
   * per order; its listener throws unless the refund went through), mails
   * the buyer once, and marks the late payment refunded.
   */
  async function refundLatePayment(order: Order): Promise<MarkPaidResult> {
    const orderId = String(order._id);
    // Money is owed to the buyer: never mark it refunded when nobody is there to refund it.
    if (!events.count('order.late_refund_due')) throw new Error('orders: nobody refunds a late payment (payouts is not wired)');
    const shares = await sharesForOrder(order._id);
    const amounts = shares.map((s) => ({ coopId: String(s.coop), cents: sharePaid(s) }));
    // Found pending (Stripe did not answer last time), payouts carries it on with the same keys;
    // refused by the provider, the late payment stays "refunding" on the admin's list, with the failed refund on its order page.
    await events.emit('order.late_refund_due', { orderId, requestId: LATE_REFUND_REQUEST, reason: 'paid_after_cancel', amounts });
    const refunded = amounts.reduce((n, a) => n + a.cents, 0);
    await deps.onStep?.('refund_created', orderId);
    const mailed = await OrderModel.findOneAndUpdate(
      { _id: order._id, 'latePayment.state': 'refunding', 'latePayment.mailedAt': trusted({ $exists: false }) },
      { $set: { 'latePayment.mailedAt': new Date() } },
    ).lean<Order>();
    if (mailed) {
      try {
        await sendTemplate(deps.mailer, {
          to: order.buyer.email,
          locale: order.buyer.locale,
          template: 'orders/late-refund',
          subjectKey: 'orders.emails.lateRefund.subject',
          data: { number: order.number, amount: refunded, link: `${deps.config.publicUrl}/orders/view/${order.viewToken}` },
        });
      } catch (err) {
        // Not sent: the next delivery tries again.
        await OrderModel.updateOne({ _id: order._id }, { $unset: { 'latePayment.mailedAt': 1 } });
        throw err;
      }
    }
    const done = await OrderModel.findOneAndUpdate(
      { _id: order._id, 'latePayment.state': 'refunding' },
      { $set: { 'latePayment.state': 'refunded', 'latePayment.leaseUntil': new Date(0) } },
      { returnDocument: 'after' },
    ).lean<Order>();
    return { status: 'refunded', order: done ?? (await OrderModel.findById(order._id).lean<Order>())! };
  }

  /** The buyer's receipt, and each co-op's "new order" mail with only its lines. */
  async function sendPaidMails(order: Order): Promise<void> {
    const { mailer, config } = deps;
    const shares = await sharesForOrder(order._id);
    const company = deps.legal ? await deps.legal.company() : DEFAULT_COMPANY;
    await sendTemplate(mailer, {
      to: order.buyer.email,
      locale: order.buyer.locale,
      template: 'orders/confirmation',
      subjectKey: 'orders.emails.confirmation.subject',
      data: { number: order.number, order, shares, company, publicUrl: config.publicUrl },
    });
    for (const share of shares) {
      const coop = await findCoop(share.coop);
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

  /**
   * Expires the order's Checkout Session so nobody can pay for stock that
   * goes back. Idempotent (Stripe's key `expire:<session>`; an expired
   * session stays expired). A session that cannot be expired is asked for:
   * paid means the order is paid (returned, for the caller to settle);
   * anything else (expired already, or a delayed payment under way) lets
   * the release go on. A provider that does not answer fails the release,
   * which the caller or the periodic job runs again.
   */
  async function endSession(order: Pick<Order, 'payment'>, reason: string): Promise<CompletedCheckout | null> {
    const sessionId = order.payment?.sessionId;
    const gateway = deps.payments;
    if (!sessionId || SESSION_ALREADY_OVER.has(reason)) return null;
    try {
      await gateway.expireCheckoutSession(sessionId);
      return null;
    } catch (err) {
      if (!(err instanceof PaymentProviderError) || err.retryable) throw err;
      const session = await gateway.retrieveCheckoutSession(sessionId);
      return session.paymentStatus === 'paid' ? session : null;
    }
  }

  /**
   * The checkout ended without payment: its session is expired, the unpaid
   * order becomes cancelled (a guarded update: a payment racing it either
   * wins and the order stays paid, or loses and is settled as a late
   * payment), then its held stock goes back and its shares follow. A
   * release that stopped after the cancel is finished by the next one (the
   * session's expiry event, or the `stale-reservations` job). A paid order is
   * never cancelled.
   */
  async function releaseOrder(input: ReleaseOrderInput): Promise<{ released: number; status: string | null }> {
    const orderId = asId(input.orderId);
    if (!orderId) return { released: 0, status: null };
    const order = await OrderModel.findById(orderId, {
      status: 1,
      payment: 1,
      lines: 1,
      coops: 1,
      latePayment: 1,
      totalCents: 1,
      currency: 1,
    }).lean<Order>();
    if (!order) {
      // Never written (a checkout that stopped before its order), or the late holds of another order: only the holds go back,
      // and the promotion uses such a checkout may have claimed.
      const released = await releaseReservations(orderId);
      await releaseUses(String(orderId));
      return { released, status: null };
    }
    // A newer session of the same order (a retry) is not ended by an old session's expiry.
    if (input.sessionId && order.payment?.sessionId && order.payment.sessionId !== input.sessionId)
      return { released: 0, status: order.status };
    if (order.status === 'pending_payment') {
      const paid = await endSession(order, String(input.reason));
      if (paid) {
        const r = await markOrderPaid({
          orderId: String(orderId),
          sessionId: paid.sessionId,
          paymentIntentId: paid.paymentIntentId,
          chargeId: paid.chargeId,
          amount: paid.amountTotal,
          currency: paid.currency,
        });
        return { released: 0, status: r.order.status };
      }
      const cancelled = await OrderModel.updateOne(
        { _id: orderId, status: 'pending_payment' },
        { $set: { status: 'cancelled', cancelReason: String(input.reason) } },
      );
      // Another release won (it gives the holds back), or a payment did.
      if (cancelled.modifiedCount === 0)
        return { released: 0, status: (await OrderModel.findById(orderId, { status: 1 }).lean())?.status ?? null };
    } else if (order.status !== 'cancelled' || order.latePayment || input.reason !== 'stale') {
      // Paid, or cancelled and then paid late (its holds are the payment's now), or cancelled by
      // a release that may still be at work. Only the `stale-reservations` job, which comes when the
      // holds are long expired, finishes a release that stopped after the cancel.
      return { released: 0, status: order.status };
    }
    const released = await releaseReservations(orderId, stockIdsOf(order));
    await moveShares(order, 'pending_payment', 'cancelled', new Date());
    // Its discount codes' uses go back (idempotent: a repeat gives nothing back twice).
    await releaseUses(String(orderId));
    if (released) signalStockChanged(order.lines.map((l) => String(l.product)));
    return { released, status: 'cancelled' };
  }

  /** Releases holds whose checkout is long over (a lost webhook, a crashed process). */
  async function sweepStaleReservations(now = new Date()): Promise<number> {
    const orders = await ordersWithStaleReservations(now);
    for (const id of orders) await releaseOrder({ orderId: String(id), reason: 'stale' });
    return orders.length;
  }

  return {
    markOrderPaid,
    releaseOrder,
    sweepStaleReservations,
    quoteCheckout: checkout.quoteCheckout,
    startCheckout: checkout.startCheckout,
  };
}

export type Orders = ReturnType<typeof createOrders>;

/**
 * The orders feature's periodic work (server.ts runs it): holds left by
 * lost checkouts (released through the app's orders: their sessions are
 * expired first), sales a crash interrupted.
 */
export function ordersJobs(orders: Pick<Orders, 'sweepStaleReservations'>): Job[] {
  return [{ name: 'stale-reservations', everyMs: STALE_SWEEP_MS, run: () => orders.sweepStaleReservations() }, interruptedSalesJob];
}

/** orders listens to payments: a paid session pays its order, an ended one gives its stock back. */
export function wireOrders(events: EventBus, orders: Pick<Orders, 'markOrderPaid' | 'releaseOrder'>): void {
  events.on('payment.checkout_paid', async (input) => void (await orders.markOrderPaid(input)));
  events.on('payment.checkout_ended', async (input) => void (await orders.releaseOrder(input)));
}

/**
 * Moves a co-op share along its fulfilment (preparing, shipped, delivered,
 * ready for pickup, collected). The caller has checked the user's role in
 * the co-op; here the share must belong to `coopId` and the move be legal
 * (`illegal_transition`, 409). Two clicks do not both apply.
 */
export async function transitionShare(shareId: string, to: ShareStatus, opts: { coopId: string; by?: string }): Promise<CoopShare> {
  const share = await CoopShareModel.findById(shareId).lean<CoopShare>();
  if (!share || String(share.coop) !== opts.coopId) throw notFound('share_not_found', 'No such order for this co-op');
  assertShareMove(share.status, to, share.delivery);
  const entry = { status: to, at: new Date(), by: opts.by && Types.ObjectId.isValid(opts.by) ? new Types.ObjectId(opts.by) : null };
  // Guarded on the status it was read in: of two clicks (or a click and a refund) one moves it, the other is refused.
  const moved = await CoopShareModel.updateOne({ _id: shareId, status: share.status }, { $set: { status: to }, $push: { history: entry } });
  if (moved.modifiedCount === 0) throw conflict('illegal_transition', 'The order changed meanwhile');
  const updated = { ...share, status: to, history: [...share.history, entry] };
  await maybeCompleteOrder(updated.order);
  return updated;
}

/** When every share has reached the buyer, the order is completed (only from paid: a guarded update). */
async function maybeCompleteOrder(orderId: Types.ObjectId): Promise<void> {
  const shares = await sharesForOrder(orderId);
  if (!shares.length || !shares.every((s) => s.status === 'delivered' || s.status === 'collected')) return;
  await OrderModel.updateOne({ _id: orderId, status: 'paid' }, { $set: { status: 'completed' } });
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

/** Marks the order for a person to look at (e.g. `disputed`); once, whatever else writes the order. */
export async function flagOrder(orderId: string | Types.ObjectId, flag: string): Promise<void> {
  const id = asId(orderId);
  if (id) await OrderModel.updateOne({ _id: id }, { $addToSet: { flags: flag } });
}
