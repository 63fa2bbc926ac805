import mongoose, { Schema } from 'mongoose';

/**
 * Every Stripe event we accepted, once: `_id` is the event id, so a
 * redelivered event is a duplicate-key insert and is skipped. The payload is
 * kept as JSON text (Stripe metadata keys may hold `.`, which the database
 * refuses in keys: platform/db.ts), so events nobody handles yet are not lost.
 */
export const EVENT_STATUSES = ['processing', 'done', 'failed'] as const;

export interface StripeEventDoc {
  _id: string;
  type: string;
  endpoint: 'platform' | 'connect';
  account?: string;
  created: Date;
  status: (typeof EVENT_STATUSES)[number];
  attempts: number;
  payload: string;
  error?: string;
  receivedAt: Date;
  processedAt?: Date | null;
}

const schema = new Schema<StripeEventDoc>(
  {
    _id: { type: String, required: true },
    type: { type: String, required: true },
    endpoint: { type: String, enum: ['platform', 'connect'], required: true },
    account: String,
    created: { type: Date, required: true },
    status: { type: String, enum: EVENT_STATUSES, default: 'processing' },
    attempts: { type: Number, default: 1 },
    payload: { type: String, default: '' },
    error: String,
    receivedAt: { type: Date, default: () => new Date() },
    processedAt: { type: Date, default: null },
  },
  { collection: 'stripe_events', versionKey: false },
);
schema.index({ type: 1, receivedAt: -1 });

export const StripeEventModel = mongoose.model<StripeEventDoc>('StripeEvent', schema);
