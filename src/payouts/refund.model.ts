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

/** IVA contained in a part, by rate: `gross` cents at `rate` percent contain `cents` of IVA. */
export interface IvaPart {
  rate: number;
  gross: number;
  cents: number;
}

export const PART_OUTCOMES = ['pending', 'reversed', 'deducted', 'owed', 'none'] as const;

/**
 * A co-op's part of a refund. `reversal` is what is taken back from the
 * co-op: reversed at Stripe, deducted from its transfer not sent yet, or
 * owed when neither could be done (netted against its next transfers).
 */
export interface RefundCoopPart {
  coop: Types.ObjectId;
  amount: number;
  /** Of `amount`, the cents of shipping refunded. */
  shipping: number;
  reversal: number;
  /**
   * Of the platform's own discount on this share (a code it funded), what
   * this refund takes back (in proportion to what is refunded; absent: 0).
   * The commission given back is then amount − reversal + discount.
   */
  discount?: number;
  iva: IvaPart[];
  outcome: (typeof PART_OUTCOMES)[number];
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
  /** While a process completes the refund (a lease): no second one calls Stripe at the same time. */
  busyUntil?: Date | null;
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
            shipping: { type: Number, default: 0 },
            reversal: Number,
            discount: { type: Number, default: 0 },
            iva: { type: [new Schema({ rate: Number, gross: Number, cents: Number }, { _id: false })], default: [] },
            outcome: { type: String, enum: PART_OUTCOMES },
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
    busyUntil: { type: Date, default: null },
    createdBy: { type: Schema.Types.ObjectId, ref: 'User', default: null },
  },
  { collection: 'refunds', versionKey: false, timestamps: true },
);
schema.index({ order: 1 });

export const RefundModel = mongoose.model<RefundDoc>('Refund', schema);
