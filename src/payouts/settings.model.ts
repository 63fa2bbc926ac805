import mongoose, { Schema } from 'mongoose';

/**
 * When a paid co-op share's money goes to the co-op:
 * - immediate: at once (the demo's default)
 * - on_shipped: when the co-op marks the share shipped (or it is collected)
 * - on_delivered_or_days: when delivered/collected, or `holdDays` after shipping
 */
export const HOLD_POLICIES = ['immediate', 'on_shipped', 'on_delivered_or_days'] as const;
export type HoldPolicy = (typeof HOLD_POLICIES)[number];

export interface PayoutSettings {
  _id: string;
  holdPolicy: HoldPolicy;
  holdDays: number;
  updatedBy?: string;
  updatedAt?: Date;
}

const schema = new Schema<PayoutSettings>(
  {
    _id: { type: String, required: true },
    holdPolicy: { type: String, enum: HOLD_POLICIES, default: 'immediate' },
    holdDays: { type: Number, min: 0, max: 90, default: 14 },
    updatedBy: String,
    updatedAt: Date,
  },
  { collection: 'payout_settings', versionKey: false },
);

export const PayoutSettingsModel = mongoose.model<PayoutSettings>('PayoutSettings', schema);
export const PAYOUT_SETTINGS_ID = 'payouts';
