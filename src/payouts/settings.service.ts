import { z } from 'zod';
import { HOLD_POLICIES, PAYOUT_SETTINGS_ID, PayoutSettingsModel, type HoldPolicy } from './settings.model';

export type { HoldPolicy } from './settings.model';
export { HOLD_POLICIES } from './settings.model';

export interface PayoutSettingsView {
  holdPolicy: HoldPolicy;
  holdDays: number;
}

export const DEFAULT_PAYOUT_SETTINGS: PayoutSettingsView = { holdPolicy: 'immediate', holdDays: 14 };

export const PayoutSettingsSchema = z.object({
  holdPolicy: z.enum(HOLD_POLICIES),
  holdDays: z.coerce.number().int().min(0).max(90),
});

/** The hold policy in force (the default when nobody has set one). */
export async function getPayoutSettings(): Promise<PayoutSettingsView> {
  const doc = await PayoutSettingsModel.findById(PAYOUT_SETTINGS_ID).lean();
  return doc ? { holdPolicy: doc.holdPolicy, holdDays: doc.holdDays } : { ...DEFAULT_PAYOUT_SETTINGS };
}

/** Sets the hold policy; it applies to transfers evaluated from now on (held ones are re-checked on their next event). */
export async function setPayoutSettings(input: PayoutSettingsView, actor?: string): Promise<PayoutSettingsView> {
  const v = PayoutSettingsSchema.parse(input);
  await PayoutSettingsModel.updateOne(
    { _id: PAYOUT_SETTINGS_ID },
    { $set: { holdPolicy: v.holdPolicy, holdDays: v.holdDays, updatedBy: actor ?? '', updatedAt: new Date() } },
    { upsert: true },
  );
  return v;
}
