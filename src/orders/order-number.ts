import { rawCollection } from '../platform/db';
import { isDuplicateKey } from '../platform/claims';
import mongoose, { Schema, type Types } from 'mongoose';
import { OrderKeyModel } from './order.model';

/**
 * Readable order numbers, FIL-<year>-<6 digits>, unique on every engine.
 * Uniqueness comes from inserting `number:<n>` into order_keys (a unique
 * `_id`); the counter document is only a hint of where to start, so it may
 * lag or be written back by two processes at once without harm: a taken
 * number is skipped. Within one process, numbers are handed out from memory
 * (the counter of the OrderNumbers that createOrders makes, one per app)
 * so concurrent checkouts do not collide, and the hint is moved only every
 * HINT_EVERY numbers (a write per order saved): a process that starts from
 * it skips at most that many taken numbers once.
 */
const HINT_EVERY = 10;
const CounterModel = mongoose.model<{ _id: string; seq: number }>(
  'OrderCounter',
  new Schema<{ _id: string; seq: number }>({ _id: String, seq: Number }, { versionKey: false, collection: 'order_counters' }),
);

export const formatOrderNumber = (year: number, seq: number) => `FIL-${year}-${String(seq).padStart(6, '0')}`;

/**
 * Moves the shared hint up to `seq`. Two first orders of a year can both try
 * to create the counter (an upsert is an insert then): the loser's duplicate
 * key only means the document now exists, so it updates that one instead.
 */
async function raiseHint(counterId: string, seq: number): Promise<void> {
  try {
    await CounterModel.updateOne({ _id: counterId }, { $max: { seq } }, { upsert: true });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    await CounterModel.updateOne({ _id: counterId }, { $max: { seq } });
  }
}

/**
 * The number this process would hand out next, for a caller that inserts
 * its key (`keyId`) itself, e.g. in one write with the checkout's other
 * keys. After the insert it reports `taken()` (the hint moves every
 * HINT_EVERY numbers) or, on a duplicate key, `collided()` (another
 * process has it: counting goes on from the hint) and asks again.
 */
export interface NumberCandidate {
  number: string;
  keyId: string;
  taken(): Promise<void>;
  collided(): Promise<void>;
}

export interface OrderNumbers {
  /**
   * The number this process would hand out next, for a caller that inserts
   * its key itself (see NumberCandidate).
   */
  candidate(at?: Date): Promise<NumberCandidate>;
  /** Takes the next free number for `orderId` on its own (its key written alone). */
  allocate(orderId: Types.ObjectId, at?: Date): Promise<string>;
}

/** The order numbers of one app: the in-memory counter lives here, per year. */
export function createOrderNumbers(): OrderNumbers {
  const next = new Map<number, number>();

  async function candidate(at = new Date()): Promise<NumberCandidate> {
    const year = at.getUTCFullYear();
    const counterId = `order:${year}`;
    const fromHint = async () => {
      const c = await CounterModel.findById(counterId).lean();
      next.set(year, Math.max(next.get(year) ?? 1, (c?.seq ?? 0) + 1));
    };
    if (!next.has(year)) await fromHint();
    const seq = next.get(year)!;
    next.set(year, seq + 1);
    const number = formatOrderNumber(year, seq);
    return {
      number,
      keyId: `number:${number}`,
      taken: async () => {
        if (seq % HINT_EVERY === 0) await raiseHint(counterId, seq);
      },
      collided: fromHint,
    };
  }

  /** Takes the next free number for `orderId` on its own (its key written alone). */
  async function allocate(orderId: Types.ObjectId, at = new Date()): Promise<string> {
    for (let attempt = 0; attempt < 1000; attempt++) {
      const c = await candidate(at);
      try {
        await rawCollection(OrderKeyModel).insertOne({ _id: c.keyId, order: orderId, at: new Date() });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        await c.collided();
        continue;
      }
      await c.taken();
      return c.number;
    }
    throw new Error('could not allocate an order number');
  }

  return { candidate, allocate };
}
