import mongoose, { Schema } from 'mongoose';

/**
 * How much of an order is refunded, in ONE document per order (`_id` the
 * order id): the owner of "what remains refundable". A refund claims its
 * part with one conditional update guarded by the version `v` it planned
 * from (and by its own marker in `claims`), so of two refunds planned at
 * once from the same figures only one gets through; the other re-reads and
 * is planned again (or refused). A refund Stripe refused gives its part
 * back the same way (`released`).
 *
 * Per co-op (key "c<coopId>"): cents refunded in all, of which shipping, and
 * the part reversed (taken back from the co-op: reversed, deducted or owed).
 * Per line (key "l<index>"): units refunded.
 */
export interface TallyCoop {
  amount: number;
  shipping: number;
  reversal: number;
}

export interface TallyClaim {
  /** The refund document to write, planned from the figures this claim was made on. */
  refund: Record<string, unknown>;
  released?: boolean;
}

export interface RefundTallyDoc {
  _id: string;
  v: number;
  refunded: number;
  coops: Record<string, TallyCoop>;
  lines: Record<string, number>;
  claims: Record<string, TallyClaim>;
}

export const RefundTallyModel = mongoose.model<RefundTallyDoc>(
  'RefundTally',
  new Schema<RefundTallyDoc>(
    {
      _id: { type: String, required: true },
      v: { type: Number, default: 0 },
      refunded: { type: Number, default: 0 },
      coops: { type: Schema.Types.Mixed, default: {} },
      lines: { type: Schema.Types.Mixed, default: {} },
      claims: { type: Schema.Types.Mixed, default: {} },
    },
    { collection: 'refund_tallies', versionKey: false, minimize: false },
  ),
);

export const coopKey = (coopId: string) => `c${coopId}`;
export const lineKey = (index: number) => `l${index}`;
