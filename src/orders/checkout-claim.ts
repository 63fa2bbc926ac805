import type { Types } from 'mongoose';
import { rawCollection } from '../platform/db';
import { OrderKeyModel } from './order.model';
import type { OrderNumbers } from './order-number';

/**
 * The claim protocol of a checkout attempt: one attempt (the key kept in
 * the buyer's session) makes one order however often "pay" is pressed.
 * The claim is a unique insert in order_keys; giving it back deletes it.
 */

/** The index of the first document an ordered insertMany could not write, and whether it was a duplicate key. */
function firstFailure(err: unknown): { index: number; duplicate: boolean } | null {
  const errors = (err as { writeErrors?: { index: number; code?: number } | { index: number; code?: number }[] }).writeErrors;
  const first = Array.isArray(errors) ? errors[0] : errors;
  return first ? { index: first.index, duplicate: first.code === 11000 } : null;
}

/**
 * Claims the attempt with one write: the `attempt:` key, the order
 * number's key and the guest link's key, in that order. Returns the order
 * number, or null when the attempt was claimed already (a second submit:
 * nothing is written). A number another process took just before leaves
 * the attempt claimed; a number (and the link) is then taken on its own.
 */
export async function claimAttempt(
  numbers: OrderNumbers,
  orderId: Types.ObjectId,
  attemptId: string,
  tokenHash: string,
  at: Date,
): Promise<string | null> {
  const candidate = await numbers.candidate(at);
  const key = (id: string) => ({ _id: id, order: orderId, at });
  try {
    await rawCollection(OrderKeyModel).insertMany([key(attemptId), key(candidate.keyId), key(`token:${tokenHash}`)], { ordered: true });
  } catch (err) {
    const failed = firstFailure(err);
    if (failed?.index === 0 && failed.duplicate) return null;
    if (!failed || failed.index === 0) throw err; // nothing was written: the database's error
    // The attempt is ours from here: given back if the rest fails.
    try {
      if (failed.index !== 1 || !failed.duplicate) throw err;
      await candidate.collided();
      const [number] = await Promise.all([
        numbers.allocate(orderId, at),
        rawCollection(OrderKeyModel).insertOne(key(`token:${tokenHash}`)),
      ]);
      return number;
    } catch (rest) {
      await OrderKeyModel.deleteOne({ _id: attemptId }).catch(() => undefined);
      throw rest;
    }
  }
  await candidate.taken();
  return candidate.number;
}

/** Gives an attempt's claim back (a refused cart, stock gone): the same attempt may start afresh; its number stays a gap. */
export async function giveBackAttempt(attemptId: string, tokenHash: string): Promise<void> {
  await Promise.all([OrderKeyModel.deleteOne({ _id: attemptId }), OrderKeyModel.deleteOne({ _id: `token:${tokenHash}` })]);
}
