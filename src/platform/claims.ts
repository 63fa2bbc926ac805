import mongoose, { Schema } from 'mongoose';

/**
 * Once-only claims built on unique inserts: the first `claim(key)` anywhere
 * wins, on MongoDB and on FerretDB alike, and every later one sees a
 * duplicate key. For steps that must happen once (a receipt mailed, a
 * status mail sent); balances and states change by guarded single-document
 * updates instead, in the document that holds them.
 */
interface ClaimDoc {
  _id: string;
  at: Date;
  data?: Record<string, unknown>;
}

const ClaimModel = mongoose.model<ClaimDoc>(
  'Claim',
  new Schema<ClaimDoc>({ _id: String, at: Date, data: Schema.Types.Mixed }, { versionKey: false, collection: 'claims' }),
);

export const isDuplicateKey = (err: unknown): boolean => (err as { code?: number })?.code === 11000;

/** Claims `key` once: true for the first caller, false for everyone after. */
export async function claim(key: string, data?: Record<string, unknown>): Promise<boolean> {
  try {
    await ClaimModel.create({ _id: key, at: new Date(), data });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

/** Gives a claim back, so the step can be tried again (e.g. after it failed before doing anything). */
export async function unclaim(key: string): Promise<void> {
  await ClaimModel.deleteOne({ _id: key });
}
