import mongoose, { Schema, type Types } from 'mongoose';

export const BULK_ITEM_STATES = ['queued', 'sent', 'failed', 'skipped'] as const;
export type BulkItemState = (typeof BULK_ITEM_STATES)[number];

/**
 * A bulk release of held transfers: the list of transfer ids and each one's
 * result. Only the process holding its lease (`leaseUntil`, taken by a
 * conditional update) works on it; a job left half done (the process
 * stopped) is picked up again by the `bulk-release` job once the lease has run out.
 */
export interface BulkJob {
  _id: string;
  kind: 'release';
  status: 'running' | 'done';
  items: { transferId: string; state: BulkItemState; message: string }[];
  createdBy: Types.ObjectId | null;
  leaseUntil?: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const schema = new Schema<BulkJob>(
  {
    _id: { type: String, required: true },
    kind: { type: String, enum: ['release'], default: 'release' },
    status: { type: String, enum: ['running', 'done'], default: 'running' },
    items: {
      type: [
        new Schema(
          { transferId: String, state: { type: String, enum: BULK_ITEM_STATES }, message: { type: String, default: '' } },
          { _id: false },
        ),
      ],
      default: [],
    },
    createdBy: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    leaseUntil: { type: Date, default: null },
  },
  { collection: 'bulk_jobs', versionKey: false, timestamps: true },
);
schema.index({ status: 1 });

export const BulkJobModel = mongoose.model<BulkJob>('BulkJob', schema);
