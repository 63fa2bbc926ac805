import mongoose, { Schema, type Types } from 'mongoose';

/**
 * A commission rate in basis points (1000 = 10%) that applies from
 * `effectiveFrom` on: the platform default when `coop` is null, otherwise an
 * override for that co-op. Rates are never edited, only added, so the
 * history stays readable; orders snapshot the rate in force when placed.
 */
export interface CommissionRate {
  _id: Types.ObjectId;
  coop: Types.ObjectId | null;
  bps: number;
  effectiveFrom: Date;
  note?: string;
  createdBy?: Types.ObjectId;
  createdAt?: Date;
}

const schema = new Schema<CommissionRate>(
  {
    coop: { type: Schema.Types.ObjectId, ref: 'Coop', default: null },
    bps: { type: Number, required: true, min: 0, max: 5000, validate: Number.isInteger },
    effectiveFrom: { type: Date, required: true },
    note: { type: String, default: '' },
    createdBy: { type: Schema.Types.ObjectId, ref: 'User' },
  },
  { timestamps: true, collection: 'commission_rates' },
);
schema.index({ coop: 1, effectiveFrom: -1 });

export const CommissionRateModel = mongoose.model<CommissionRate>('CommissionRate', schema);
