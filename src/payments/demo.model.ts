import mongoose, { Schema } from 'mongoose';

/**
 * What the demo provider keeps instead of Stripe: one small document per
 * session, transfer, refund, reversal or account. `_id` is derived from the
 * idempotency key (or the co-op), so a repeated write is a duplicate-key
 * insert that returns the first result, like Stripe's idempotency.
 */
export const DEMO_KINDS = ['checkout_session', 'transfer', 'refund', 'reversal', 'account'] as const;
export type DemoKind = (typeof DEMO_KINDS)[number];

export interface DemoObject {
  _id: string;
  kind: DemoKind;
  /** The object as the demo provider describes it (never keys starting with `$`). */
  data: Record<string, unknown>;
  createdAt: Date;
}

const schema = new Schema<DemoObject>(
  {
    _id: { type: String, required: true },
    kind: { type: String, enum: DEMO_KINDS, required: true },
    data: { type: Schema.Types.Mixed, default: {} },
    createdAt: { type: Date, default: () => new Date() },
  },
  { collection: 'demo_payments', versionKey: false, minimize: false },
);

export const DemoObjectModel = mongoose.model<DemoObject>('DemoObject', schema);
