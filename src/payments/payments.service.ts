import type { Logger } from '../platform/logger';
import type { EventBus } from '../platform/events';
import { trusted } from '../platform/db';
import { isDuplicateKey } from '../platform/claims';
import type { CompletedCheckout, ConnectedAccountState, PaymentGateway } from './gateway';
import type { CheckoutEnded } from './events';
import { StripeEventModel } from './stripe-event.model';
import { accountFromEvent, checkoutFromEvent, storedEvent, type WebhookEvent } from './stripe-webhooks';

export interface PaymentEventsDeps {
  payments: PaymentGateway;
  logger: Logger;
  /** The app's bus: what a payment means for orders, co-ops and payouts is theirs to hear. */
  events: EventBus;
}

export type WebhookOutcome = 'processed' | 'duplicate' | 'in_progress';

/** An event still "processing" after this long belongs to a process that died: take it over. */
const STALE_PROCESSING_MS = 120_000;
/** Stored events are tried again by the periodic job this many times at most. */
const MAX_EVENT_ATTEMPTS = 8;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/**
 * The payment events, written once and used by both the Stripe webhooks and
 * the demo provider's pages, so a demo payment ends in the same code as a
 * real one. What follows a payment is not known here: each handler emits a
 * `payment.*` event (see events.ts) and waits for its listeners (orders
 * marks the order paid, coops stores the account, payouts records
 * reversals, refunds and disputes), so a listener that fails fails the
 * delivery and it is tried again. Every listener is idempotent.
 */
export function createPaymentEvents(deps: PaymentEventsDeps) {
  const { payments, logger, events } = deps;

  /**
   * A Checkout Session finished. Only a paid one fulfils the order (card
   * payments are paid at once; delayed methods end in async_payment_*).
   */
  async function handleCheckoutCompleted(session: CompletedCheckout): Promise<'paid' | 'unpaid' | 'no_order'> {
    if (session.paymentStatus !== 'paid') return 'unpaid';
    if (!session.orderId) {
      logger.warn({ sessionId: session.sessionId }, 'paid checkout session without an order id');
      return 'no_order';
    }
    let { chargeId, paymentIntentId } = session;
    if (!chargeId) {
      // The event's session does not expand the PaymentIntent: ask for the charge (transfers need it as source_transaction).
      const full = await payments.retrieveCheckoutSession(session.sessionId);
      chargeId = full.chargeId;
      paymentIntentId ??= full.paymentIntentId;
    }
    await events.emit('payment.checkout_paid', {
      orderId: session.orderId,
      sessionId: session.sessionId,
      paymentIntentId,
      chargeId,
      amount: session.amountTotal,
      currency: session.currency,
    });
    return 'paid';
  }

  /** The session ended without payment (expired, or a delayed payment failed): the order's stock goes back. */
  async function handleCheckoutEnded(
    session: Pick<CompletedCheckout, 'sessionId' | 'orderId'>,
    reason: CheckoutEnded['reason'],
  ): Promise<void> {
    // Every session we create names its order; one that does not is not ours.
    if (!session.orderId) return void logger.warn({ sessionId: session.sessionId, reason }, 'ended checkout session without an order id');
    await events.emit('payment.checkout_ended', { orderId: session.orderId, sessionId: session.sessionId, reason });
  }

  /**
   * A connected account's state read at `at` (an `account.updated` event,
   * or the demo onboarding finishing): the co-ops feature stores it.
   */
  async function accountUpdated(state: ConnectedAccountState, at = new Date()): Promise<void> {
    await events.emit('payment.account_updated', { state, at });
  }

  /**
   * The buyer is back on our success page before the webhook came (or it
   * never will, e.g. a local machine without `stripe listen`): ask the
   * provider about the session and fulfil through the same handler. Safe
   * to call on every visit; paying an order is idempotent.
   */
  async function reconcileCheckoutSession(sessionId: string): Promise<'paid' | 'unpaid' | 'no_order'> {
    return handleCheckoutCompleted(await payments.retrieveCheckoutSession(sessionId));
  }

  /** One verified event → our handlers, then `stripe.<type>` for the features that act on it themselves. */
  async function dispatch(e: WebhookEvent): Promise<void> {
    const o = e.object;
    const at = new Date(e.created * 1000);
    switch (e.type) {
      case 'checkout.session.completed':
      case 'checkout.session.async_payment_succeeded':
        await handleCheckoutCompleted(checkoutFromEvent(e));
        break;
      case 'checkout.session.expired':
        await handleCheckoutEnded(checkoutFromEvent(e), 'expired');
        break;
      case 'checkout.session.async_payment_failed':
        await handleCheckoutEnded(checkoutFromEvent(e), 'payment_failed');
        break;
      case 'payment_intent.payment_failed':
        // Inside Checkout a declined card is not the end: the buyer may try another
        // card in the same session. The stock is released when the session expires.
        logger.info(
          { paymentIntent: str(o.id), orderId: str((o.metadata as Record<string, unknown> | undefined)?.orderId) },
          'payment attempt failed',
        );
        break;
      case 'account.updated':
        await accountUpdated(accountFromEvent(e), at);
        break;
      case 'capability.updated': {
        const account = str(o.account) ?? e.account;
        const capability = str(o.id);
        if (account && capability)
          await events.emit('payment.capability_updated', { accountId: account, capability, active: o.status === 'active', at });
        break;
      }
      case 'transfer.reversed':
      case 'transfer.updated': {
        const md = (o.metadata ?? {}) as Record<string, unknown>;
        const id = str(o.id);
        if (id && typeof o.amount_reversed === 'number') {
          await events.emit('payment.transfer_reversed', {
            transferId: id,
            amountReversed: o.amount_reversed,
            orderId: str(md.orderId),
            coopId: str(md.coopId),
          });
        }
        break;
      }
      default:
        // charge.refunded, refund.*, charge.dispute.*, payout.*: stored with the
        // event and told below as `stripe.<type>` (payouts acts on them).
        break;
    }
    await events.emit(`stripe.${e.type}`, e);
  }

  /**
   * Processes a verified event once: its id is claimed by a unique insert;
   * a redelivery of a done event is skipped. A failed handler leaves the
   * event "failed" and the caller answers 500, so Stripe delivers it again.
   */
  async function processWebhook(e: WebhookEvent, endpoint: 'platform' | 'connect', payload: string): Promise<WebhookOutcome> {
    try {
      await StripeEventModel.create({
        _id: e.id,
        type: e.type,
        endpoint,
        account: e.account,
        created: new Date(e.created * 1000),
        status: 'processing',
        payload,
      });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const seen = await StripeEventModel.findById(e.id, { status: 1, receivedAt: 1, attempts: 1 }).lean();
      if (!seen || seen.status === 'done') return 'duplicate';
      const stale = Date.now() - new Date(seen.receivedAt).getTime() > STALE_PROCESSING_MS;
      if (seen.status === 'processing' && !stale) return 'in_progress';
      // Failed before (or its process died): try again. Handlers are idempotent, so a race here is harmless.
      const took = await StripeEventModel.updateOne(
        { _id: e.id, status: seen.status, attempts: seen.attempts },
        { $set: { status: 'processing', receivedAt: new Date() }, $inc: { attempts: 1 } },
      );
      if (took.modifiedCount === 0) return 'in_progress';
    }
    try {
      await dispatch(e);
    } catch (err) {
      await StripeEventModel.updateOne(
        { _id: e.id },
        { $set: { status: 'failed', error: err instanceof Error ? err.message.slice(0, 500) : String(err) } },
      );
      throw err;
    }
    await StripeEventModel.updateOne({ _id: e.id }, { $set: { status: 'done', processedAt: new Date() } });
    return 'processed';
  }

  /**
   * Events that failed after we answered (or whose process died) are run
   * again from their stored payload (a periodic job), so none is lost.
   */
  async function retryStoredEvents(now = new Date()): Promise<number> {
    const docs = await StripeEventModel.find(
      { status: trusted({ $in: ['failed', 'processing'] }), attempts: trusted({ $lt: MAX_EVENT_ATTEMPTS }) },
      { _id: 1, status: 1, receivedAt: 1, endpoint: 1, payload: 1 },
    )
      .limit(100)
      .lean();
    let n = 0;
    for (const d of docs) {
      if (d.status === 'processing' && now.getTime() - new Date(d.receivedAt).getTime() <= STALE_PROCESSING_MS) continue;
      try {
        if ((await processWebhook(storedEvent(d.payload), d.endpoint, d.payload)) === 'processed') n++;
      } catch (err) {
        logger.warn({ err, eventId: d._id }, 'stored event failed again');
      }
    }
    return n;
  }

  return {
    handleCheckoutCompleted,
    handleCheckoutEnded,
    accountUpdated,
    reconcileCheckoutSession,
    dispatch,
    processWebhook,
    retryStoredEvents,
  };
}

export type PaymentEvents = ReturnType<typeof createPaymentEvents>;

/** Events recorded but not processed (failed), for the admin. */
export async function listFailedEvents(limit = 50) {
  return StripeEventModel.find({ status: trusted({ $in: ['failed', 'processing'] }) }, { payload: 0 })
    .sort({ receivedAt: -1 })
    .limit(limit)
    .lean();
}
