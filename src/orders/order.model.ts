import mongoose, { Schema, type Types } from 'mongoose';
import { ORDER_STATUSES, type OrderStatus } from './states';

const text = { it: { type: String, default: '' }, en: { type: String, default: '' } };

export interface OrderLine {
  product: Types.ObjectId;
  sku: string;
  coop: Types.ObjectId;
  name: { it: string; en: string };
  variantLabel: { it: string; en: string };
  unitCents: number;
  quantity: number;
  ivaRate: number;
  lineCents: number;
  /** What promotions took off this line (0 on orders without), and each one's part: code, who gave it, how much. */
  discountCents?: number;
  discounts?: DiscountSnapshot[];
}

/** One promotion's part of a line's or a share's discount, as it was when the order was placed. */
export interface DiscountSnapshot {
  promotion: string;
  code: string | null;
  name: string;
  funder: 'platform' | 'coop';
  cents: number;
}

/** A promotion the order used, in all. */
export interface OrderPromotion {
  promotion: Types.ObjectId;
  code: string | null;
  name: string;
  funder: 'platform' | 'coop';
  funderCoop: Types.ObjectId | null;
  cents: number;
}

export interface ShippingAddress {
  name: string;
  line1: string;
  line2: string;
  postalCode: string;
  city: string;
  province: string;
  country: string;
  phone: string;
}

/**
 * An order: a snapshot of what was bought at which price, written once at
 * checkout. What changes later lives elsewhere in small documents: each
 * co-op's part and its fulfilment in CoopShare, stock holds in Reservation.
 * The order's own `status` moves by guarded single-document updates
 * (`{ _id, status: from }` → to, see orders.service): the engine applies
 * each atomically, so of two writers exactly one moves it.
 */
export interface Order {
  _id: Types.ObjectId;
  number: string;
  status: OrderStatus;
  buyer: { user?: Types.ObjectId | null; email: string; locale: 'it' | 'en' };
  address: ShippingAddress;
  lines: OrderLine[];
  coops: {
    coop: Types.ObjectId;
    name: string;
    /** The seller's legal identity when the order was placed (older orders have none). */
    legalName?: string;
    vatNumber?: string;
    seat?: string;
    delivery: 'ship' | 'pickup';
    subtotalCents: number;
    shippingCents: number;
    discountCents?: number;
    shippingDiscountCents?: number;
  }[];
  subtotalCents: number;
  shippingCents: number;
  /** All discounts together: totalCents = subtotal + shipping − discount. */
  discountCents?: number;
  promotions?: OrderPromotion[];
  totalCents: number;
  currency: string;
  iva: { rate: number; cents: number }[];
  /** The guest link's secret (`/orders/view/<token>`, 256 bits); looked up through order_keys by its sha256. */
  viewToken: string;
  payment: {
    sessionId?: string;
    sessionUrl?: string;
    sessionExpiresAt?: Date;
    paymentIntentId?: string;
    chargeId?: string;
    paidAt?: Date;
    /** When the provider last failed to open a session (the buyer saw "try again"). */
    failedAt?: Date;
    /** Set in the guarded move to paid: what follows the payment is this order's to finish (mails included). */
    settlingSince?: Date;
    /** When everything that follows the payment (stock sold, ledger, shares, transfers, mails) was done. */
    settledAt?: Date;
  };
  flags: string[];
  /** When the buyer ticked "I accept the terms" at checkout, and which version of them (legal's termsVersion). */
  termsAcceptedAt?: Date;
  termsVersion?: string;
  cancelReason?: string;
  /** A payment that arrived after the order was cancelled, and what became of it (see orders.service, `settleLatePayment`). */
  latePayment?: LatePayment;
  createdAt?: Date;
  updatedAt?: Date;
}

/**
 * retaking: the stock is being taken again (`holdId` names the holds, so
 * they never mix with the released ones of the first checkout); `leaseUntil`
 * lets a redelivery take over from a worker that died. retaken: the order
 * is paid after all. refunding → refunded: the stock was gone; the buyer is
 * refunded in full (`refundId`).
 */
export const LATE_PAYMENT_STATES = ['retaking', 'retaken', 'refunding', 'refunded'] as const;
export type LatePaymentState = (typeof LATE_PAYMENT_STATES)[number];
export interface LatePayment {
  state: LatePaymentState;
  at: Date;
  holdId: Types.ObjectId;
  leaseUntil: Date;
  refundId?: string;
  mailedAt?: Date;
}

const addressSchema = new Schema(
  {
    name: String,
    line1: String,
    line2: { type: String, default: '' },
    postalCode: String,
    city: String,
    province: { type: String, default: '' },
    country: String,
    phone: { type: String, default: '' },
  },
  { _id: false },
);

export const discountSchema = new Schema(
  { promotion: String, code: { type: String, default: null }, name: String, funder: String, cents: Number },
  { _id: false },
);

const lineSchema = new Schema(
  {
    product: { type: Schema.Types.ObjectId, ref: 'Product', required: true },
    sku: { type: String, required: true },
    coop: { type: Schema.Types.ObjectId, ref: 'Coop', required: true },
    name: text,
    variantLabel: text,
    unitCents: { type: Number, required: true },
    quantity: { type: Number, required: true },
    ivaRate: { type: Number, required: true },
    lineCents: { type: Number, required: true },
    discountCents: { type: Number, default: 0 },
    discounts: { type: [discountSchema], default: [] },
  },
  { _id: false },
);

const orderSchema = new Schema<Order>(
  {
    number: { type: String, required: true },
    status: { type: String, enum: ORDER_STATUSES, default: 'pending_payment' },
    buyer: {
      user: { type: Schema.Types.ObjectId, ref: 'User', default: null },
      email: { type: String, required: true },
      locale: { type: String, enum: ['it', 'en'], default: 'it' },
    },
    address: addressSchema,
    lines: { type: [lineSchema], default: [] },
    coops: {
      type: [
        new Schema(
          {
            coop: { type: Schema.Types.ObjectId, ref: 'Coop' },
            name: String,
            legalName: String,
            vatNumber: String,
            seat: String,
            delivery: { type: String, enum: ['ship', 'pickup'] },
            subtotalCents: Number,
            shippingCents: Number,
            discountCents: { type: Number, default: 0 },
            shippingDiscountCents: { type: Number, default: 0 },
          },
          { _id: false },
        ),
      ],
      default: [],
    },
    subtotalCents: { type: Number, required: true },
    shippingCents: { type: Number, required: true },
    discountCents: { type: Number, default: 0 },
    promotions: {
      type: [
        new Schema(
          {
            promotion: Schema.Types.ObjectId,
            code: { type: String, default: null },
            name: String,
            funder: String,
            funderCoop: { type: Schema.Types.ObjectId, default: null },
            cents: Number,
          },
          { _id: false },
        ),
      ],
      default: [],
    },
    totalCents: { type: Number, required: true },
    currency: { type: String, default: 'eur' },
    iva: { type: [new Schema({ rate: Number, cents: Number }, { _id: false })], default: [] },
    viewToken: { type: String, required: true },
    payment: {
      sessionId: String,
      sessionUrl: String,
      sessionExpiresAt: Date,
      paymentIntentId: String,
      chargeId: String,
      paidAt: Date,
      failedAt: Date,
      settlingSince: Date,
      settledAt: Date,
    },
    flags: { type: [String], default: [] },
    termsAcceptedAt: Date,
    termsVersion: String,
    cancelReason: String,
    latePayment: {
      type: new Schema(
        {
          state: { type: String, enum: LATE_PAYMENT_STATES },
          at: Date,
          holdId: Schema.Types.ObjectId,
          leaseUntil: Date,
          refundId: String,
          mailedAt: Date,
        },
        { _id: false },
      ),
      default: undefined,
    },
  },
  { timestamps: true, collection: 'orders' },
);
// Order history per buyer. (Where only `_id` reaches an index this still scans; see order-queries.ts.)
orderSchema.index({ 'buyer.user': 1, createdAt: -1 });

export const OrderModel = mongoose.model<Order>('Order', orderSchema);

/**
 * Lookup keys for an order, each a document addressed by `_id` (the one
 * lookup sure to reach an index), and each inserted once:
 * - `number:FIL-2026-000123` — makes order numbers unique;
 * - `token:<sha256>` — the guest's link;
 * - `attempt:<key>` — one order per checkout attempt (double submit).
 * The three are written in one insert when a checkout starts. Payment
 * events find their order by the order id in the session's metadata.
 */
export interface OrderKey {
  _id: string;
  order: Types.ObjectId;
  at: Date;
}

export const OrderKeyModel = mongoose.model<OrderKey>(
  'OrderKey',
  new Schema<OrderKey>(
    { _id: String, order: { type: Schema.Types.ObjectId, ref: 'Order', required: true }, at: { type: Date, default: () => new Date() } },
    { versionKey: false, collection: 'order_keys' },
  ),
);
