import Stripe from 'stripe';
import type { Config } from '../platform/config';
import {
  PaymentProviderError,
  type CheckoutSession,
  type CompletedCheckout,
  type ConnectedAccountState,
  type CreateCheckoutInput,
  type PaymentGateway,
  type PaymentStatus,
  type RefundInput,
  type TransferGroupMoney,
  type ReversalInput,
  type TransferInput,
} from './gateway';

/** Per-attempt timeout of calls a buyer waits for. */
export const BUYER_TIMEOUT_MS = 3_000;

const APP_INFO = { name: 'Filiera', version: '0.1.0', url: 'https://filiera.local' };

/** Builds the one Stripe client of the process from the config (host/port/protocol point tests at stripe-mock). */
export function createStripeClient(config: Config['stripe'], overrides: { timeout?: number; maxNetworkRetries?: number } = {}): Stripe {
  if (!config.secretKey) throw new Error('STRIPE_SECRET_KEY is not set');
  return new Stripe(config.secretKey, {
    maxNetworkRetries: overrides.maxNetworkRetries ?? 2,
    timeout: overrides.timeout ?? 10_000,
    appInfo: APP_INFO,
    ...(config.host ? { host: config.host } : {}),
    ...(config.port ? { port: config.port } : {}),
    ...(config.protocol ? { protocol: config.protocol } : {}),
  });
}

/**
 * Stripe's errors in our words. Connection problems, timeouts, rate limits
 * and 5xx are retryable (the same idempotency key makes the retry safe);
 * a request Stripe refused (4xx) is not, except lock timeouts.
 */
export function toProviderError(err: unknown): PaymentProviderError {
  if (err instanceof PaymentProviderError) return err;
  if (err instanceof Stripe.errors.StripeError) {
    const status = err.statusCode ?? 0;
    if (err instanceof Stripe.errors.StripeConnectionError) {
      const timedOut = /timed? ?out|ETIMEDOUT|timeout/i.test(`${err.message} ${String(err.detail ?? '')}`);
      return new PaymentProviderError(timedOut ? 'timeout' : 'unavailable', err.message, true, { cause: err });
    }
    if (err instanceof Stripe.errors.StripeRateLimitError || err.code === 'lock_timeout') {
      return new PaymentProviderError(err.code ?? 'rate_limited', err.message, true, { cause: err });
    }
    if (err instanceof Stripe.errors.StripeAPIError || status >= 500) {
      return new PaymentProviderError(err.code ?? 'provider_error', err.message, true, { cause: err });
    }
    if (err instanceof Stripe.errors.StripeAuthenticationError || err instanceof Stripe.errors.StripePermissionError) {
      return new PaymentProviderError(err.code ?? 'provider_auth', err.message, false, { cause: err });
    }
    if (err instanceof Stripe.errors.StripeIdempotencyError) {
      return new PaymentProviderError('idempotency_conflict', err.message, false, { cause: err });
    }
    return new PaymentProviderError(err.code ?? err.type ?? 'invalid_request', err.message, false, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new PaymentProviderError('unavailable', message, true, { cause: err });
}

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toProviderError(err);
  }
}

const idOf = (v: string | { id: string } | null | undefined): string | undefined =>
  v == null ? undefined : typeof v === 'string' ? v : v.id;

/** The account fields Filiera keeps on the co-op. */
export function accountState(a: Stripe.Account): ConnectedAccountState {
  return {
    id: a.id,
    transfersActive: a.capabilities?.transfers === 'active',
    payoutsEnabled: Boolean(a.payouts_enabled),
    detailsSubmitted: Boolean(a.details_submitted),
    currentlyDue: a.requirements?.currently_due ?? [],
    pastDue: a.requirements?.past_due ?? [],
    disabledReason: a.requirements?.disabled_reason ?? '',
  };
}

/** A Checkout Session (as retrieved or as carried by an event) in our words. */
export function completedCheckoutOf(s: Stripe.Checkout.Session): CompletedCheckout {
  const pi = s.payment_intent;
  const charge = pi && typeof pi !== 'string' ? pi.latest_charge : undefined;
  return {
    sessionId: s.id,
    orderId: s.metadata?.orderId ?? s.client_reference_id ?? undefined,
    paymentStatus: s.payment_status as PaymentStatus,
    amountTotal: s.amount_total ?? 0,
    currency: s.currency ?? 'eur',
    paymentIntentId: idOf(pi),
    chargeId: idOf(charge),
  };
}

/** The Stripe implementation: separate charges and transfers (see STRIPE.md). */
export class StripeGateway implements PaymentGateway {
  readonly kind = 'stripe' as const;
  readonly stripe: Stripe;

  constructor(config: Config['stripe'], overrides: { timeout?: number; maxNetworkRetries?: number } = {}) {
    this.stripe = createStripeClient(config, overrides);
  }

  async createCheckoutSession(input: CreateCheckoutInput): Promise<CheckoutSession> {
    const s = await call(() =>
      this.stripe.checkout.sessions.create(
        {
          mode: 'payment',
          line_items: input.lines.map((l) => ({
            quantity: l.quantity,
            price_data: {
              currency: 'eur',
              unit_amount: l.unitAmount,
              product_data: { name: l.name, ...(l.metadata ? { metadata: l.metadata } : {}) },
            },
          })),
          payment_intent_data: {
            transfer_group: input.orderNumber,
            description: `Filiera ${input.orderNumber}`,
            metadata: { orderId: input.orderId, orderNumber: input.orderNumber },
          },
          metadata: { orderId: input.orderId, orderNumber: input.orderNumber },
          client_reference_id: input.orderId,
          customer_email: input.customerEmail,
          locale: input.locale,
          success_url: input.successUrl,
          cancel_url: input.cancelUrl,
          expires_at: Math.floor(input.expiresAt.getTime() / 1000),
        },
        // The buyer waits on this one: two short attempts (≈ 7 s at worst) so a slow
        // Stripe ends in the "try again" page within 10 s; the retry reuses the key.
        { idempotencyKey: input.idempotencyKey, timeout: BUYER_TIMEOUT_MS, maxNetworkRetries: 1 },
      ),
    );
    return {
      id: s.id,
      url: s.url ?? '',
      expiresAt: s.expires_at ? new Date(s.expires_at * 1000) : input.expiresAt,
    };
  }

  async retrieveCheckoutSession(sessionId: string): Promise<CompletedCheckout> {
    const s = await call(() => this.stripe.checkout.sessions.retrieve(sessionId, { expand: ['payment_intent.latest_charge'] }));
    return completedCheckoutOf(s);
  }

  async expireCheckoutSession(sessionId: string): Promise<void> {
    await call(() => this.stripe.checkout.sessions.expire(sessionId, {}, { idempotencyKey: `expire:${sessionId}` }));
  }

  async createTransfer(input: TransferInput): Promise<{ id: string }> {
    const t = await call(() =>
      this.stripe.transfers.create(
        {
          amount: input.amount,
          currency: 'eur',
          destination: input.destination,
          transfer_group: input.transferGroup,
          ...(input.sourceTransaction ? { source_transaction: input.sourceTransaction } : {}),
          metadata: input.metadata,
        },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    return { id: t.id };
  }

  async createRefund(input: RefundInput): Promise<{ id: string; status: string }> {
    const r = await call(() =>
      this.stripe.refunds.create(
        {
          payment_intent: input.paymentIntentId,
          amount: input.amount,
          ...(input.reason ? { reason: input.reason } : {}),
          metadata: input.metadata,
        },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    return { id: r.id, status: r.status ?? 'pending' };
  }

  async createReversal(input: ReversalInput): Promise<{ id: string }> {
    const r = await call(() =>
      this.stripe.transfers.createReversal(
        input.transferId,
        { amount: input.amount, metadata: input.metadata },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    return { id: r.id };
  }

  async listTransfers(transferGroup: string) {
    const list = await call(() => this.stripe.transfers.list({ transfer_group: transferGroup, limit: 100 }));
    return list.data.map((t) => ({
      id: t.id,
      amount: t.amount,
      destination: idOf(t.destination) ?? '',
      amountReversed: t.amount_reversed,
    }));
  }

  async listRefunds(paymentIntentId: string) {
    const list = await call(() => this.stripe.refunds.list({ payment_intent: paymentIntentId, limit: 100 }));
    return list.data.map((r) => ({ id: r.id, amount: r.amount, status: r.status ?? 'pending' }));
  }

  async readTransferGroup(transferGroup: string): Promise<TransferGroupMoney> {
    // Stripe's own objects for the group, all pages; each list is small (one order's money).
    const all = { limit: 1000 };
    const [charges, transfers] = await Promise.all([
      call(() => this.stripe.charges.list({ transfer_group: transferGroup, limit: 100 }).autoPagingToArray(all)),
      call(() => this.stripe.transfers.list({ transfer_group: transferGroup, limit: 100 }).autoPagingToArray(all)),
    ]);
    // Refunds by charge rather than by our copy of the PaymentIntent id; reversals from the
    // transfer itself (a reversal made in the dashboard is there too, with no webhook of ours).
    const [refunds, reversals] = await Promise.all([
      Promise.all(charges.map((c) => call(() => this.stripe.refunds.list({ charge: c.id, limit: 100 }).autoPagingToArray(all)))),
      Promise.all(transfers.map((t) => call(() => this.stripe.transfers.listReversals(t.id, { limit: 100 }).autoPagingToArray(all)))),
    ]);
    return {
      charges: charges.map((c) => ({
        id: c.id,
        amount: c.amount,
        amountRefunded: c.amount_refunded,
        status: c.status,
        paymentIntentId: idOf(c.payment_intent),
      })),
      transfers: transfers.map((t, i) => ({
        id: t.id,
        amount: t.amount,
        destination: idOf(t.destination) ?? '',
        amountReversed: t.amount_reversed,
        metadata: t.metadata ?? {},
        reversals: reversals[i]!.map((r) => ({ id: r.id, amount: r.amount, metadata: r.metadata ?? {} })),
      })),
      refunds: refunds
        .flat()
        .map((r) => ({ id: r.id, amount: r.amount, status: r.status ?? 'pending', chargeId: idOf(r.charge), metadata: r.metadata ?? {} })),
    };
  }

  async createConnectedAccount(input: { coopId: string; email: string; idempotencyKey: string }): Promise<ConnectedAccountState> {
    const a = await call(() =>
      this.stripe.accounts.create(
        {
          country: 'IT',
          email: input.email,
          controller: {
            fees: { payer: 'application' },
            losses: { payments: 'application' },
            stripe_dashboard: { type: 'express' },
            requirement_collection: 'stripe',
          },
          capabilities: { transfers: { requested: true } },
          metadata: { coopId: input.coopId },
        },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    return accountState(a);
  }

  async retrieveConnectedAccount(accountId: string): Promise<ConnectedAccountState> {
    return accountState(await call(() => this.stripe.accounts.retrieve(accountId)));
  }

  async createOnboardingLink(input: { accountId: string; refreshUrl: string; returnUrl: string }): Promise<{ url: string }> {
    // Links are single-use and short-lived: a fresh one each time, no idempotency key needed.
    const link = await call(() =>
      this.stripe.accountLinks.create({
        account: input.accountId,
        type: 'account_onboarding',
        refresh_url: input.refreshUrl,
        return_url: input.returnUrl,
      }),
    );
    return { url: link.url };
  }

  async createDashboardLink(accountId: string): Promise<{ url: string }> {
    const link = await call(() => this.stripe.accounts.createLoginLink(accountId));
    return { url: link.url };
  }
}
