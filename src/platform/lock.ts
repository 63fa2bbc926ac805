import { randomUUID } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import { trusted } from './db';
import { AppError } from './errors';
import { registerSweeper } from './sweepers';

/**
 * Locks and claims built on unique inserts, the one write that is atomic on
 * MongoDB and on FerretDB alike (FerretDB applies `$inc` and guarded
 * `findOneAndUpdate` as read, change, write back, so two processes can both
 * "win" a guarded update). A lock is a document whose `_id` is the thing
 * locked: whoever inserts it holds it; a second insert fails with a duplicate
 * key. Each lock carries an expiry so a crashed holder blocks others only for
 * `ttlMs`; keep the work under a lock far shorter than that.
 */
interface LockDoc {
  _id: string;
  owner: string;
  expiresAt: Date;
}

const LockModel = mongoose.model<LockDoc>(
  'Lock',
  new Schema<LockDoc>({ _id: String, owner: String, expiresAt: Date }, { versionKey: false, collection: 'locks' }),
);

/** A once-only claim: the first `claim(key)` anywhere wins, forever (until `unclaim`). */
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

export interface LockOptions {
  /** How long the lock stays valid if its holder never releases it. */
  ttlMs?: number;
  /** How long to keep trying before giving up with `lock_busy` (409). */
  waitMs?: number;
}

export interface Lock {
  key: string;
  owner: string;
  release(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Takes the lock `key`, waiting up to `waitMs` with short jittered retries.
 * A lock past its expiry is removed (only if still held by the same stale
 * owner) and the insert tried again.
 */
export async function acquireLock(key: string, { ttlMs = 10_000, waitMs = 5_000 }: LockOptions = {}): Promise<Lock> {
  const owner = randomUUID();
  const deadline = Date.now() + waitMs;
  let delay = 2;
  for (;;) {
    const expiresAt = Date.now() + ttlMs;
    try {
      await LockModel.create({ _id: key, owner, expiresAt: new Date(expiresAt) });
      return { key, owner, release: () => releaseLock(key, owner, expiresAt) };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    const held = await LockModel.findById(key, { owner: 1, expiresAt: 1 }).lean();
    if (held && held.expiresAt.getTime() < Date.now()) {
      await LockModel.deleteOne({ _id: key, owner: held.owner });
      continue;
    }
    if (Date.now() >= deadline) throw new AppError('lock_busy', `Busy: ${key}`, 409);
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 50);
  }
}

/**
 * Before its expiry (less a margin for clock skew between app servers) no
 * one else can hold the lock, so it is deleted by `_id` alone: the one
 * filter FerretDB answers from an index (a filter on `_id` and `owner`
 * reads the whole collection). A holder that overran its lease checks it
 * still owns the lock before deleting it.
 */
const RELEASE_MARGIN_MS = 2_000;

async function releaseLock(key: string, owner: string, expiresAt: number): Promise<void> {
  if (Date.now() < expiresAt - RELEASE_MARGIN_MS) {
    await LockModel.deleteOne({ _id: key });
    return;
  }
  const held = await LockModel.findById(key, { owner: 1 }).lean();
  if (held?.owner === owner) await LockModel.deleteOne({ _id: key, owner });
}

/** Runs `fn` while holding the lock `key`; the lock is released however `fn` ends. */
export async function withLock<T>(key: string, fn: () => Promise<T>, opts?: LockOptions): Promise<T> {
  const lock = await acquireLock(key, opts);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}

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

/** Reads a claim's data (who holds it, and what they stored with it). */
export async function readClaim(key: string): Promise<ClaimDoc | null> {
  return ClaimModel.findById(key).lean();
}

/** Gives a claim back, so the step can be tried again (e.g. after it failed before doing anything). */
export async function unclaim(key: string): Promise<void> {
  await ClaimModel.deleteOne({ _id: key });
}

/** Removes locks whose holder died (they are also taken over on contact); for a sweeper. */
export async function sweepExpiredLocks(now = new Date()): Promise<number> {
  const res = await LockModel.deleteMany({ expiresAt: trusted({ $lt: now }) });
  return res.deletedCount ?? 0;
}

// Keeps the locks collection small: a release filters on `_id` and owner, which FerretDB answers by reading the collection.
registerSweeper({ name: 'expired-locks', everyMs: 60_000, run: () => sweepExpiredLocks() });
