import Stripe from 'stripe';
import type { Config } from '../platform/config';
import type { CompletedCheckout, ConnectedAccountState } from './gateway';
import { accountState, completedCheckoutOf } from './stripe-gateway';

/** A verified event, as plain data: handlers never see the Stripe SDK's types. */
export interface WebhookEvent {
  id: string;
  type: string;
  created: number;
  /** Set on Connect events: the connected account the event is about. */
  account?: string;
  livemode: boolean;
  object: Record<string, unknown>;
}

export class WebhookSignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookSignatureError';
  }
}

/** Five minutes, Stripe's default: an older signed payload is a replay. */
export const SIGNATURE_TOLERANCE_S = 300;

/**
 * Checks the `Stripe-Signature` header against the raw body and our
 * endpoint secret; throws WebhookSignatureError when it does not match.
 */
export function verifyWebhook(raw: Buffer, signature: string | undefined, secret: string | undefined): WebhookEvent {
  if (!secret) throw new WebhookSignatureError('no webhook secret configured');
  if (!signature) throw new WebhookSignatureError('missing Stripe-Signature header');
  if (!Buffer.isBuffer(raw) || raw.length === 0) throw new WebhookSignatureError('empty body');
  // Stripe's check refuses a timestamp too old, not one from the future: a payload signed ahead
  // of time (a leaked secret, a wrong clock) would stay replayable until then.
  const signedAt = Number(/(?:^|,)t=(\d+)/.exec(signature)?.[1]);
  if (!Number.isFinite(signedAt) || signedAt > Date.now() / 1_000 + SIGNATURE_TOLERANCE_S)
    throw new WebhookSignatureError('signature timestamp is in the future');
  let event: Stripe.Event;
  try {
    event = Stripe.webhooks.constructEvent(raw, signature, secret, SIGNATURE_TOLERANCE_S);
  } catch (err) {
    throw new WebhookSignatureError(err instanceof Error ? err.message : 'bad signature');
  }
  return toWebhookEvent(event);
}

function toWebhookEvent(event: Stripe.Event): WebhookEvent {
  return {
    id: event.id,
    type: event.type,
    created: event.created,
    account: event.account ?? undefined,
    livemode: event.livemode,
    object: event.data.object as unknown as Record<string, unknown>,
  };
}

/** An event we stored after checking its signature, read back for another attempt. Never for payloads from outside. */
export function storedEvent(payload: string): WebhookEvent {
  return toWebhookEvent(JSON.parse(payload) as Stripe.Event);
}

export const webhookSecrets = (config: Config) => ({ platform: config.stripe.webhookSecret, connect: config.stripe.connectWebhookSecret });

/** A Checkout Session carried by an event, in our words. */
export const checkoutFromEvent = (e: WebhookEvent): CompletedCheckout =>
  completedCheckoutOf(e.object as unknown as Stripe.Checkout.Session);

/** An Account carried by `account.updated`, in our words. */
export const accountFromEvent = (e: WebhookEvent): ConnectedAccountState => accountState(e.object as unknown as Stripe.Account);

/** Signs a payload as Stripe would (tests and the local demo use it). */
export function signWebhookPayload(payload: string, secret: string, timestamp?: number): string {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret, ...(timestamp ? { timestamp } : {}) });
}
