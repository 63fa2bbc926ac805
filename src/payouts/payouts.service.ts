import { AppError } from '../platform/errors';
import type { EventBus } from '../platform/events';
import type { Job } from '../platform/jobs';
import type { Logger } from '../platform/logger';
import type { PaymentGateway, WebhookEvent } from '../payments';
import { ledgerCommissionJob, recordOrderPaymentLedger } from './balances.service';
import { resumeBulkJobs, startBulkRelease } from './bulk.service';
import { createCommissionRates } from './commission.service';
import { onDisputeClosed, onDisputeCreated, type StripeDisputeObject } from './disputes.service';
import { onChargeRefunded, onRefundEvent, type StripeRefundObject } from './refunds.events';
import { completeRefund, createRefund } from './refunds.service';
import { createTransfers, recordTransferReversal } from './transfers.service';

export interface PayoutsDeps {
  /** The provider transfers, refunds and reversals go through. */
  gateway: PaymentGateway;
  logger?: Logger;
}

/**
 * The payouts feature's services that reach the provider, built from its
 * gateway by createApp (tests build their own): transfers, bulk release,
 * the refund of a late payment, and payouts' periodic work. No module state.
 */
export function createPayouts(deps: PayoutsDeps) {
  const { gateway, logger } = deps;
  const transfers = createTransfers({ gateway });
  const commission = createCommissionRates();

  /**
   * Refunds in full a payment that reached a cancelled order whose stock
   * was gone (orders asks through `order.late_refund_due`): one refund per
   * order and request id, so a repeat carries the same refund on. Throws
   * unless it went through, so orders keeps the late payment "refunding".
   */
  async function refundLatePayment(input: {
    orderId: string;
    requestId: string;
    reason: string;
    amounts: { coopId: string; cents: number }[];
  }): Promise<void> {
    const { orderId } = input;
    let refund = await createRefund(
      null,
      { orderId, requestId: input.requestId, reason: input.reason, mode: 'amounts', amounts: input.amounts },
      { gateway, onError: (err) => logger?.error({ err, orderId }, 'after the late refund') },
    );
    // Found pending (Stripe did not answer last time): carried on with the same keys.
    if (refund.status === 'pending') refund = await completeRefund(refund._id, { gateway });
    if (refund.status !== 'succeeded')
      throw new AppError('late_refund_failed', `The refund of a late payment did not go through: ${refund.error ?? refund.status}`, 502);
  }

  return {
    gateway,
    transfers,
    /** The commission rates in force (checkout asks; the admin's new rate clears the memory). */
    commission,
    startBulkRelease: (actorId: string, transferIds: string[]) => startBulkRelease(transfers, actorId, transferIds),
    refundLatePayment,
  };
}

export type Payouts = ReturnType<typeof createPayouts>;

/**
 * The payouts feature's periodic work (server.ts runs it): held transfers
 * whose time has come, retryable failures and attempts a stopped process
 * left; bulk releases a stopped process left; missing commission entries.
 * Each is idempotent. The first two go to the provider, so they take the
 * app's payouts.
 */
export function payoutsJobs(payouts: Pick<Payouts, 'transfers'>): Job[] {
  const { transfers } = payouts;
  return [
    { name: 'transfers-due', everyMs: 5 * 60_000, run: () => transfers.sendDueTransfers() },
    { name: 'bulk-release', everyMs: 15_000, run: () => resumeBulkJobs(transfers) },
    ledgerCommissionJob,
  ];
}

/**
 * What payouts listens to, added once when the app is composed. Every
 * listener is idempotent and awaited: one that throws fails the step that
 * emitted (the Stripe event is delivered again; the payment is settled
 * again by the same path).
 */
export function wirePayouts(events: EventBus, payouts: Payouts): void {
  const { transfers } = payouts;
  // From orders: a payment's ledger, its transfers, and the refund of a late payment.
  events.on('order.payment_received', async ({ orderId }) => void (await recordOrderPaymentLedger(orderId)));
  events.on('order.paid', async ({ orderId }) => void (await transfers.scheduleTransfersForOrder(orderId)));
  events.on('order.late_refund_due', (input) => payouts.refundLatePayment(input));
  // From co-ops: an account that can receive transfers gets those waiting for it.
  events.on('coop.account_ready', async ({ coopId }) => void (await transfers.onCoopAccountReady(coopId)));
  // From payments: reversals, refunds and disputes as Stripe reports them.
  events.on(
    'payment.transfer_reversed',
    async ({ transferId, amountReversed, orderId, coopId }) =>
      void (await recordTransferReversal(transferId, amountReversed, { orderId, coopId })),
  );
  const object = <T>(e: WebhookEvent) => e.object as T;
  events.on('stripe.refund.updated', (e) => onRefundEvent(object<StripeRefundObject>(e)));
  events.on('stripe.refund.failed', (e) => onRefundEvent(object<StripeRefundObject>(e)));
  events.on('stripe.charge.refunded', (e) => onChargeRefunded(object(e)));
  events.on('stripe.charge.dispute.created', async (e) => void (await onDisputeCreated(object<StripeDisputeObject>(e))));
  events.on('stripe.charge.dispute.closed', async (e) => void (await onDisputeClosed(object<StripeDisputeObject>(e), transfers)));
}
