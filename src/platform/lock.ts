import { randomUUID } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import { rawCollection, trusted } from './db';
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
 * Contenders in this process queue here, in memory, before they try the
 * database: only the first of them inserts the lock document and the rest
 * wait for it to hand the turn on. Without this, each of them polls with
 * an insert that fails and a read, two database operations per retry (on
 * FerretDB, where writes go one at a time, that slowed everyone when many
 * buyers wanted one item). Other processes still meet at the lock
 * document; this only orders the ones here.
 *
 * A turn lasts until its holder releases it, or until its lease runs out
 * (a holder that never releases blocks the next one only as long as the
 * database lock would).
 */
interface Turn {
  expiresAt: number;
}

interface Waiter {
  turn: Turn;
  wake(): void;
}

interface Gate {
  held?: Turn;
  waiters: Waiter[];
}

const gates = new Map<string, Gate>();

async function takeTurn(key: string, leaseMs: number, deadline: number): Promise<Turn> {
  const gate = gates.get(key) ?? { waiters: [] };
  gates.set(key, gate);
  for (;;) {
    const now = Date.now();
    if (!gate.held || gate.held.expiresAt <= now) {
      gate.held = { expiresAt: now + leaseMs };
      return gate.held;
    }
    if (now >= deadline) throw new AppError('lock_busy', `Busy: ${key}`, 409);
    const waiter: Waiter = { turn: { expiresAt: 0 }, wake: () => undefined };
    const handedOn = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), Math.min(deadline, gate.held!.expiresAt) - now + 1);
      waiter.wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      gate.waiters.push(waiter);
    });
    if (handedOn || gate.held === waiter.turn) {
      waiter.turn.expiresAt = Date.now() + leaseMs;
      return waiter.turn;
    }
    const i = gate.waiters.indexOf(waiter);
    if (i >= 0) gate.waiters.splice(i, 1);
  }
}

/** Hands the turn to the next waiter in line (if this turn is still the current one). */
function endTurn(key: string, turn: Turn): void {
  const gate = gates.get(key);
  if (!gate || gate.held !== turn) return;
  const next = gate.waiters.shift();
  if (next) {
    gate.held = next.turn;
    next.turn.expiresAt = Number.POSITIVE_INFINITY; // until the waiter sets its own lease
    next.wake();
  } else {
    gates.delete(key);
  }
}

/**
 * Takes the lock `key`, waiting up to `waitMs`: first for the turn among
 * this process's contenders, then, with short jittered retries, for the
 * lock document. A lock past its expiry is removed (only if still held by
 * the same stale owner) and the insert tried again.
 */
export async function acquireLock(key: string, { ttlMs = 10_000, waitMs = 5_000 }: LockOptions = {}): Promise<Lock> {
  const owner = randomUUID();
  const deadline = Date.now() + waitMs;
  const turn = await takeTurn(key, waitMs + ttlMs, deadline);
  try {
    const expiresAt = await insertLock(key, owner, ttlMs, deadline);
    turn.expiresAt = expiresAt;
    return {
      key,
      owner,
      release: async () => {
        try {
          await releaseLock(key, owner, expiresAt);
        } finally {
          endTurn(key, turn);
        }
      },
    };
  } catch (err) {
    endTurn(key, turn);
    throw err;
  }
}

/** Inserts the lock document, retrying while another process holds it; returns its expiry. */
async function insertLock(key: string, owner: string, ttlMs: number, deadline: number): Promise<number> {
  let delay = 2;
  for (;;) {
    const expiresAt = Date.now() + ttlMs;
    try {
      await rawCollection(LockModel).insertOne({ _id: key, owner, expiresAt: new Date(expiresAt) });
      return expiresAt;
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
