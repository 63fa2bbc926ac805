import mongoose, { Schema, type Types } from 'mongoose';

/**
 * One action: who did what to which object, when, and the state before
 * and after. Written once, never edited (the audit page is read-only).
 * `before`/`after` are plain snapshots (no keys starting with `$`).
 * `actorEmail` is only on entries written before the log moved to
 * platform/; newer ones name the actor by id alone.
 */
export interface AuditEntry {
  _id: Types.ObjectId;
  actor: Types.ObjectId | null;
  actorEmail: string;
  action: string;
  target: string;
  before: unknown;
  after: unknown;
  at: Date;
}

const schema = new Schema<AuditEntry>(
  {
    actor: { type: Schema.Types.ObjectId, default: null },
    actorEmail: { type: String, default: '' },
    action: { type: String, required: true },
    target: { type: String, default: '' },
    before: { type: Schema.Types.Mixed, default: null },
    after: { type: Schema.Types.Mixed, default: null },
    at: { type: Date, required: true },
  },
  { collection: 'audit_log', versionKey: false, minimize: false },
);
schema.index({ at: -1 });
schema.index({ actor: 1, at: -1 });
schema.index({ action: 1, at: -1 });

export const AuditEntryModel = mongoose.model<AuditEntry>('AuditEntry', schema);
