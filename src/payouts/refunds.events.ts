import { audit } from '../platform/audit';
import { RefundModel } from './refund.model';

export interface StripeRefundObject {
  id?: string;
  status?: string;
  amount?: number;
  failure_reason?: string;
  metadata?: Record<string, string>;
}

/**
 * `refund.updated` / `refund.failed`: Stripe may fail a refund after
 * accepting it (e.g. the card was closed). The money then did not reach the
 * buyer, but the co-ops' reversals were made: that is for a person to
 * settle, so the refund is marked with the failure (shown on the order and
 * in the reconciliation) and the event is audited. Idempotent.
 */
export async function onRefundEvent(object: StripeRefundObject): Promise<void> {
  if (object.status !== 'failed' && object.status !== 'canceled') return;
  const ours = object.metadata?.refundId
    ? await RefundModel.findById(object.metadata.refundId, { error: 1 }).lean()
    : object.id
      ? await RefundModel.findOne({ stripeRefundId: object.id }, { error: 1 }).lean()
      : null;
  if (!ours) return;
  const error = `stripe_${object.status}: ${object.failure_reason ?? ''}`.slice(0, 300);
  if (ours.error === error) return;
  await RefundModel.updateOne({ _id: ours._id }, { $set: { error } });
  await audit(null, 'refund.stripe_failed', ours._id, { error: ours.error ?? '' }, { error });
}

/**
 * `charge.refunded`: a refund made outside Filiera (in Stripe's dashboard)
 * moves no ledger entry of ours; it is audited here and shows up as a
 * difference on the reconciliation page.
 */
export async function onChargeRefunded(object: { id?: string; payment_intent?: string | null; amount_refunded?: number }): Promise<void> {
  await audit(null, 'charge.refunded', `charge:${object.id ?? ''}`, null, {
    paymentIntent: object.payment_intent ?? '',
    amountRefunded: object.amount_refunded ?? 0,
  });
}
