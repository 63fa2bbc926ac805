import mongoose, { Schema, type Types } from 'mongoose';
import type { IvaPart } from '../cart';
import { SHARE_STATUSES, type ShareStatus } from './states';
import { discountSchema, type DiscountSnapshot } from './order.model';

/**
 * One co-op's part of an order, in a small document of its own (`_id` is
 * "<orderId>:<coopId>"): the co-op fulfils it and the payouts feature
 * transfers its net, each changing only this document.
 * netCents = subtotal + shipping − commission; the commission is on the
 * goods only, at the co-op's rate when the order was placed.
 * With discounts (promotions' `shareMoney`): the buyer pays
 * subtotal + shipping − discountCents; the co-op's own discounts lower its
 * net and the commission's base; the platform's come out of its commission
 * (platform's take = commission − platformDiscountCents, may be negative).
 */
export interface CoopShare {
  _id: string;
  order: Types.ObjectId;
  orderNumber: string;
  coop: Types.ObjectId;
  coopName: string;
  delivery: 'ship' | 'pickup';
  subtotalCents: number;
  shippingCents: number;
  commissionBps: number;
  commissionCents: number;
  netCents: number;
  /** Discounts on this part (absent on older shares: 0): all, the co-op's, the platform's, off shipping; each promotion's part. */
  discountCents?: number;
  coopDiscountCents?: number;
  platformDiscountCents?: number;
  shippingDiscountCents?: number;
  discounts?: DiscountSnapshot[];
  /** This co-op's own IVA (it is the seller): per rate, taxable base and tax of its goods and their shipping. */
  iva: IvaPart[];
  status: ShareStatus;
  history: { status: ShareStatus; at: Date; by?: Types.ObjectId | null }[];
  createdAt?: Date;
  updatedAt?: Date;
}

const schema = new Schema<CoopShare>(
  {
    _id: { type: String, required: true },
    order: { type: Schema.Types.ObjectId, ref: 'Order', required: true },
    orderNumber: { type: String, required: true },
    coop: { type: Schema.Types.ObjectId, ref: 'Coop', required: true },
    coopName: { type: String, default: '' },
    delivery: { type: String, enum: ['ship', 'pickup'], default: 'ship' },
    subtotalCents: { type: Number, required: true },
    shippingCents: { type: Number, required: true },
    commissionBps: { type: Number, required: true },
    commissionCents: { type: Number, required: true },
    netCents: { type: Number, required: true },
    discountCents: { type: Number, default: 0 },
    coopDiscountCents: { type: Number, default: 0 },
    platformDiscountCents: { type: Number, default: 0 },
    shippingDiscountCents: { type: Number, default: 0 },
    discounts: { type: [discountSchema], default: [] },
    iva: { type: [new Schema({ rate: Number, baseCents: Number, taxCents: Number }, { _id: false })], default: [] },
    status: { type: String, enum: SHARE_STATUSES, default: 'pending_payment' },
    history: {
      type: [new Schema({ status: String, at: Date, by: { type: Schema.Types.ObjectId, default: null } }, { _id: false })],
      default: [],
    },
  },
  { timestamps: true, collection: 'coop_shares', versionKey: false },
);
schema.index({ order: 1 });
schema.index({ coop: 1, createdAt: -1 });

export const shareId = (orderId: string | Types.ObjectId, coopId: string | Types.ObjectId) => `${String(orderId)}:${String(coopId)}`;
/** What the buyer paid for this co-op's part: its goods and shipping less every discount on them. */
export const sharePaid = (s: Pick<CoopShare, 'subtotalCents' | 'shippingCents' | 'discountCents'>) =>
  s.subtotalCents + s.shippingCents - (s.discountCents ?? 0);

export const CoopShareModel = mongoose.model<CoopShare>('CoopShare', schema);
