import type { ConnectedAccountState } from './gateway';
import type { WebhookEvent } from './stripe-webhooks';

/** A paid Checkout Session, as the features above hear of it (orders fulfils the order). */
export interface CheckoutPaid {
  orderId: string;
  sessionId: string;
  paymentIntentId?: string;
  chargeId?: string;
  amount: number;
  currency: string;
}

/**
 * A Checkout Session that ended without payment (orders gives the stock
 * back). `sessionId`: the session that ended; an order with a newer
 * session (a retry) is left alone.
 */
export interface CheckoutEnded {
  orderId: string;
  sessionId?: string;
  reason: 'expired' | 'payment_failed' | 'cancelled';
}

/**
 * What payments tells the features above it. payments knows none of them:
 * it emits, and each listener is added by its own feature when the app is
 * composed. Listeners are awaited and a throw fails the delivery (the
 * webhook answers 500 and the stored event is tried again), so every
 * listener must be idempotent: an event may come twice, late or out of order.
 */
declare module '../platform/events' {
  interface DomainEvents {
    /** A Checkout Session was paid (webhook, success page or demo page). */
    'payment.checkout_paid': CheckoutPaid;
    /** A Checkout Session ended unpaid (expired, or its delayed payment failed). */
    'payment.checkout_ended': CheckoutEnded;
    /** A connected account's state as Stripe reported it at `at` (`account.updated`, or the demo onboarding). */
    'payment.account_updated': { state: ConnectedAccountState; at: Date };
    /** One capability of a connected account changed (`capability.updated`). */
    'payment.capability_updated': { accountId: string; capability: string; active: boolean; at: Date };
    /** What Stripe says was reversed of a transfer so far (`transfer.reversed`/`transfer.updated`); it only grows. */
    'payment.transfer_reversed': { transferId: string; amountReversed: number; orderId?: string; coopId?: string };
    /**
     * Every verified Stripe event, by its type (`stripe.charge.refunded`,
     * `stripe.charge.dispute.created`…), after payments' own handling: for
     * events payments itself does not act on (refunds, disputes, payouts).
     */
    [type: `stripe.${string}`]: WebhookEvent;
  }
}
