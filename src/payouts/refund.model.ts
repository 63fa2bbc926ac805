import mongoose, { Schema, type Types } from 'mongoose';

/**
 * One refund of an order, `_id` "refund:<orderId>:<requestId>" (the request
 * id comes from the confirmation form, so a double submit is the same
 * refund). Inserted before Stripe is called; its `_id` is the refund's
 * idempotency key. Per co-op: the part of the refund, the part of its
 * transfer reversed (or recorded as owed when it could not be), and the
 * commission given back.
 */
export const REFUND_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

export interface RefundCoopPart {
  coop: Types.ObjectId;
  amount: number;
  reversal: number;
  outcome: 'pending' | 'reversed' | 'owed' | 'none';
  stripeReversalId?: string;
  error?: string;
}

export interface RefundDoc {
  _id: string;
  order: Types.ObjectId;
  orderNumber: string;
  amount: number;
  reason: string;
  mode: 'lines' | 'amounts';
  lines: { index: number; quantity: number }[];
  coops: RefundCoopPart[];
  returnStock: boolean;
  status: RefundStatus;
  stripeRefundId?: string;
  error?: string;
  createdBy: Types.ObjectId | null;
  createdAt: Date;
  updatedAt: Date;
}

const schema = new Schema<RefundDoc>(
  {
    _id: { type: String, required: true },
    order: { type: Schema.Types.ObjectId, ref: 'Order', required: true },
    orderNumber: { type: String, required: true },
    amount: { type: Number, required: true, min: 1, validate: Number.isInteger },
    reason: { type: String, required: true },
    mode: { type: String, enum: ['lines', 'amounts'], required: true },
    lines: { type: [new Schema({ index: Number, quantity: Number }, { _id: false })], default: [] },
    coops: {
      type: [
        new Schema(
          {
            coop: { type: Schema.Types.ObjectId, ref: 'Coop' },
            amount: Number,
            reversal: Number,
            outcome: { type: String, enum: ['pending', 'reversed', 'owed', 'none'] },
            stripeReversalId: String,
            error: String,
          },
          { _id: false },
        ),
      ],
      default: [],
    },
    returnStock: { type: Boolean, default: false },
    status: { type: String, enum: REFUND_STATUSES, default: 'pending' },
    stripeRefundId: String,
    error: String,
    createdBy: { type: Schema.Types.ObjectId, ref: 'User', default: null },
  },
  { collection: 'refunds', versionKey: false, timestamps: true },
);
schema.index({ order: 1 });

export const RefundModel = mongoose.model<RefundDoc>('Refund', schema);
