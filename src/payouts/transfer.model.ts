import mongoose, { Schema, type Types } from 'mongoose';

/**
 * One co-op share's transfer, `_id` "transfer:<orderId>:<coopId>". The
 * insert of this document is the once-only claim: whoever inserts it owns
 * the job, a second insert is a duplicate key. Its state only changes by
 * conditional updates of this one document (`{ _id, status: from }`), so
 * of two processes only one claims an attempt; the Stripe idempotency key
 * is the same on every attempt, and so is the amount: it is fixed
 * (`fixedAt`, after netting what the co-op owes) before the first attempt
 * and never changes afterwards.
 *
 * - waiting_payment: the order is not paid (or has no charge) yet
 * - held: the hold policy or an admin keeps it (see `manualHold`, `heldUntil`)
 * - waiting_account: the co-op cannot receive transfers yet (transfersActive false)
 * - pending: due; being sent
 * - sent: Stripe accepted it (`stripeTransferId`)
 * - failed: the last attempt failed (`lastError`); a retry uses the same key
 * - reversed: reversed in full (`amountReversed` tracks partial reversals)
 */
export const TRANSFER_STATUSES = ['waiting_payment', 'held', 'waiting_account', 'pending', 'sent', 'failed', 'reversed'] as const;
export type TransferStatus = (typeof TRANSFER_STATUSES)[number];

export interface TransferDoc {
  _id: string;
  order: Types.ObjectId;
  orderNumber: string;
  coop: Types.ObjectId;
  share?: string;
  amount: number;
  currency: string;
  status: TransferStatus;
  destination?: string;
  sourceTransaction?: string;
  stripeTransferId?: string;
  amountReversed: number;
  /** Refunds (or netting) can no longer change `amount`: set just before it is fixed. */
  frozen: boolean;
  /** When the amount was fixed for good (netting done); Stripe is only ever asked for this amount. */
  fixedAt?: Date | null;
  /** What the co-op owed and was taken off this transfer when its amount was fixed. */
  netted: number;
  /** Refund parts taken off a transfer not fixed yet (refund id → cents), each once. */
  cuts: Record<string, number>;
  /** Reversals claimed on the sent transfer (so two refunds never take back more than it holds). */
  reversalClaimed: number;
  reversalClaims: Record<string, number>;
  /** Reversals Stripe made for our refunds (key → cents): their sum is what we know was reversed. */
  reversalsDone: Record<string, number>;
  /** Held by an admin: no policy releases it, only `releaseTransfer`. */
  manualHold: boolean;
  holdReason?: string;
  /** Released by an admin: the hold policy no longer applies. */
  released: boolean;
  /** For "delivered or N days after shipping": when it becomes due anyway. */
  heldUntil?: Date | null;
  attempts: number;
  lastError?: { code: string; message: string; retryable: boolean; at: Date } | null;
  sentAt?: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const schema = new Schema<TransferDoc>(
  {
    _id: { type: String, required: true },
    order: { type: Schema.Types.ObjectId, ref: 'Order', required: true },
    orderNumber: { type: String, required: true },
    coop: { type: Schema.Types.ObjectId, ref: 'Coop', required: true },
    share: String,
    amount: { type: Number, required: true, min: 0, validate: Number.isInteger },
    currency: { type: String, default: 'eur' },
    status: { type: String, enum: TRANSFER_STATUSES, required: true },
    destination: String,
    sourceTransaction: String,
    stripeTransferId: String,
    amountReversed: { type: Number, default: 0 },
    frozen: { type: Boolean, default: false },
    fixedAt: { type: Date, default: null },
    netted: { type: Number, default: 0 },
    cuts: { type: Schema.Types.Mixed, default: {} },
    reversalClaimed: { type: Number, default: 0 },
    reversalClaims: { type: Schema.Types.Mixed, default: {} },
    reversalsDone: { type: Schema.Types.Mixed, default: {} },
    manualHold: { type: Boolean, default: false },
    holdReason: String,
    released: { type: Boolean, default: false },
    heldUntil: { type: Date, default: null },
    attempts: { type: Number, default: 0 },
    lastError: { type: Schema.Types.Mixed, default: null },
    sentAt: { type: Date, default: null },
  },
  { collection: 'transfers', versionKey: false, timestamps: true, minimize: false },
);
schema.index({ status: 1, updatedAt: -1 });
schema.index({ coop: 1, status: 1 });
schema.index({ order: 1 });

export const TransferModel = mongoose.model<TransferDoc>('Transfer', schema);

export const transferId = (orderId: string, coopId: string) => `transfer:${orderId}:${coopId}`;
