import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

export const COOP_KINDS = ['agricultural', 'craft'] as const;
export const SOCIAL_TYPES = ['A', 'B', 'none'] as const;
export const COOP_STATUSES = ['pending', 'approved', 'rejected', 'paused'] as const;

const text = { it: { type: String, default: '' }, en: { type: String, default: '' } };

const coopSchema = new Schema(
  {
    name: { type: String, required: true, trim: true, maxlength: 120 },
    slug: { type: String, required: true, unique: true, lowercase: true, trim: true },
    legalName: { type: String, trim: true, default: '' },
    vatNumber: { type: String, trim: true, default: '' },
    /** The registered seat (sede legale) as one line: the seller's address buyers see beside its legal name and P.IVA. */
    seat: { type: String, trim: true, default: '' },
    kind: { type: String, enum: COOP_KINDS, required: true },
    socialType: { type: String, enum: SOCIAL_TYPES, default: 'none' },
    region: { type: String, required: true },
    town: { type: String, required: true },
    story: text,
    contact: {
      email: { type: String, default: '' },
      phone: { type: String, default: '' },
      website: { type: String, default: '' },
    },
    logo: { type: String, default: '' },
    cover: { type: String, default: '' },
    impact: {
      members: { type: Number, min: 0 },
      integrationWorkers: { type: Number, min: 0 },
      trainingHours: { type: Number, min: 0 },
      supports: text,
    },
    shipping: {
      flatCents: { type: Number, min: 0, default: 690 },
      freeOverCents: { type: Number, min: 0, default: 6000 },
      pickup: { type: Boolean, default: false },
    },
    status: { type: String, enum: COOP_STATUSES, default: 'pending' },
    rejectionReason: { type: String, default: '' },
    appliedBy: { type: Schema.Types.ObjectId, ref: 'User' },
    approvedAt: Date,
    /** Stripe connected account (acct_…) and the state we last read of it. */
    stripeAccountId: { type: String },
    payouts: {
      transfersActive: { type: Boolean, default: false },
      payoutsEnabled: { type: Boolean, default: false },
      detailsSubmitted: { type: Boolean, default: false },
      currentlyDue: { type: [String], default: [] },
      pastDue: { type: [String], default: [] },
      disabledReason: { type: String, default: '' },
      updatedAt: Date,
    },
  },
  { timestamps: true, collection: 'coops' },
);
coopSchema.index({ status: 1, name: 1 });
coopSchema.index({ status: 1, region: 1 });
coopSchema.index({ stripeAccountId: 1 });

export type Coop = InferSchemaType<typeof coopSchema> & { _id: Types.ObjectId };
export const CoopModel = mongoose.model('Coop', coopSchema);
