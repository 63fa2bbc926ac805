import mongoose, { Schema, type Types } from 'mongoose';

export const SCOPES = ['all', 'department', 'coop', 'products'] as const;
export const VALUE_KINDS = ['percent', 'fixed', 'free_shipping'] as const;
export type ScopeKind = (typeof SCOPES)[number];
export type ValueKind = (typeof VALUE_KINDS)[number];

/**
 * A discount code or an automatic promotion. Who pays for it (`funder`)
 * is fixed when it is made: the platform (an admin made it) or one co-op
 * (one of its managers made it, on its own goods only). `uses` counts the
 * orders holding it now: a guarded `$inc` (`uses < maxUses`) claims one,
 * cancelled or expired orders give theirs back. `pending` marks, per
 * order id, a claim half done, and `released` an order given back (kept:
 * one small key per cancelled order), so a retry or a concurrent call
 * never counts an order twice (see promotions.service).
 */
export interface Promotion {
  _id: Types.ObjectId;
  /** Upper-case code; null for an automatic promotion. */
  code: string | null;
  name: string;
  funder: { kind: 'platform' | 'coop'; coop: Types.ObjectId | null; coopName: string };
  scope: { kind: ScopeKind; department: string; coop: Types.ObjectId | null; products: Types.ObjectId[] };
  value: { kind: ValueKind; bps: number; cents: number; shippingCoop: Types.ObjectId | null };
  minBasketCents: number;
  startsAt: Date | null;
  endsAt: Date | null;
  /** 0: no limit. */
  maxUses: number;
  perCustomer: number;
  firstOrderOnly: boolean;
  /** Automatic promotions only: applies on top of a code. */
  stackable: boolean;
  active: boolean;
  uses: number;
  pending?: Record<string, boolean>;
  released?: Record<string, boolean>;
  recounted?: Record<string, boolean>;
  createdBy: Types.ObjectId | null;
  createdAt?: Date;
  updatedAt?: Date;
}

const schema = new Schema<Promotion>(
  {
    code: { type: String, default: null },
    name: { type: String, required: true },
    funder: {
      kind: { type: String, enum: ['platform', 'coop'], required: true },
      coop: { type: Schema.Types.ObjectId, ref: 'Coop', default: null },
      coopName: { type: String, default: '' },
    },
    scope: {
      kind: { type: String, enum: SCOPES, required: true },
      department: { type: String, default: '' },
      coop: { type: Schema.Types.ObjectId, ref: 'Coop', default: null },
      products: { type: [Schema.Types.ObjectId], default: [] },
    },
    value: {
      kind: { type: String, enum: VALUE_KINDS, required: true },
      bps: { type: Number, default: 0 },
      cents: { type: Number, default: 0 },
      shippingCoop: { type: Schema.Types.ObjectId, ref: 'Coop', default: null },
    },
    minBasketCents: { type: Number, default: 0 },
    startsAt: { type: Date, default: null },
    endsAt: { type: Date, default: null },
    maxUses: { type: Number, default: 0 },
    perCustomer: { type: Number, default: 0 },
    firstOrderOnly: { type: Boolean, default: false },
    stackable: { type: Boolean, default: false },
    active: { type: Boolean, default: true },
    uses: { type: Number, default: 0 },
    pending: { type: Schema.Types.Mixed, default: undefined },
    released: { type: Schema.Types.Mixed, default: undefined },
    recounted: { type: Schema.Types.Mixed, default: undefined },
    createdBy: { type: Schema.Types.ObjectId, ref: 'User', default: null },
  },
  { timestamps: true, collection: 'promotions', versionKey: false, minimize: true },
);
schema.index({ 'funder.coop': 1, createdAt: -1 });

export const PromotionModel = mongoose.model<Promotion>('Promotion', schema);

/** A code, addressed by `_id` = the code itself: unique (the insert is the claim of the code) and found with one `_id` read. */
export const PromotionCodeModel = mongoose.model<{ _id: string; promotion: Types.ObjectId }>(
  'PromotionCode',
  new Schema(
    { _id: String, promotion: { type: Schema.Types.ObjectId, required: true } },
    { collection: 'promotion_codes', versionKey: false },
  ),
);

export const USE_STATES = ['claiming', 'held', 'paid', 'releasing', 'released', 'refused', 'recounting'] as const;
export type UseState = (typeof USE_STATES)[number];

/**
 * An order's use of a promotion (`use:<promotionId>:<orderId>`), and a
 * customer's slot (`slot:<promotionId>:<customer>:<n>`, n = 1…perCustomer):
 * both inserted once under their `_id`, so a customer never holds more
 * slots than the limit whatever runs at once.
 */
export interface PromotionUse {
  _id: string;
  kind: 'use' | 'slot';
  promotion: Types.ObjectId;
  order: Types.ObjectId;
  customer: string;
  state?: UseState;
  releasedFrom?: UseState;
  /** What the promotion took off this order, and what the order came to (its sales). */
  discountCents?: number;
  salesCents?: number;
  at: Date;
}

const useSchema = new Schema<PromotionUse>(
  {
    _id: String,
    kind: { type: String, enum: ['use', 'slot'], required: true },
    promotion: { type: Schema.Types.ObjectId, required: true },
    order: { type: Schema.Types.ObjectId, required: true },
    customer: { type: String, default: '' },
    state: { type: String, enum: USE_STATES },
    releasedFrom: { type: String, enum: USE_STATES },
    discountCents: Number,
    salesCents: Number,
    at: { type: Date, default: () => new Date() },
  },
  { collection: 'promotion_uses', versionKey: false },
);
useSchema.index({ order: 1 });
useSchema.index({ promotion: 1 });

export const PromotionUseModel = mongoose.model<PromotionUse>('PromotionUse', useSchema);

/** The limits inside which co-op managers make their own codes (one document, `_id: 'coop-limits'`, the admin edits it). */
export interface CoopLimits {
  _id: string;
  maxPercentBps: number;
  maxFixedCents: number;
  /** Every co-op code must have a total limit of at most this many uses. */
  maxUses: number;
  updatedAt?: Date;
}

export const DEFAULT_COOP_LIMITS = { maxPercentBps: 3000, maxFixedCents: 2000, maxUses: 500 };

export const CoopLimitsModel = mongoose.model<CoopLimits>(
  'PromotionLimits',
  new Schema<CoopLimits>(
    { _id: String, maxPercentBps: Number, maxFixedCents: Number, maxUses: Number },
    { collection: 'promotion_settings', versionKey: false, timestamps: { createdAt: false, updatedAt: true } },
  ),
);
