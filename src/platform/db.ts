import type { Collection, Document } from 'mongodb';
import mongoose, { type Model } from 'mongoose';

/*
 * What the code may assume of the database. Features rely on these facts
 * (and point here), never on which engine runs: MongoDB in production, or
 * the embedded FerretDB 1.24 (engine.ts) locally and in tests.
 *
 * - Only a filter on `_id` alone is sure to reach an index: upstream
 *   FerretDB's SQLite backend reads the whole collection for anything else
 *   (our build answers top-level equalities in SQLite, see
 *   scripts/install-engines.mjs, but still without an index). Hot reads go
 *   by `_id`, or through an in-memory read model (catalog/read-model/).
 * - A single-document write is atomic (a conditional update, a
 *   findOneAndUpdate, a delete by `_id`) and an insert under a unique index
 *   is a once-only claim: on MongoDB and on our FerretDB build, as
 *   test/platform/engine.conformance.test.ts proves.
 * - A write may re-encode the whole document (FerretDB stores it as one
 *   value): keep busy documents small and skip writes that change nothing.
 * - findAndModify takes no projection. The update Mongoose sends for
 *   `.pull()` + `save()` left array entries in place on FerretDB 1.24: set
 *   the whole array instead.
 * - No keys with `.` or a leading `$`, no NUL in strings, no NaN/Infinity;
 *   no multi-document transactions, `$lookup`, text indexes or collation.
 * - No TTL indexes (see expiry.ts) and no change streams (see change-feed.ts).
 */

// Filters are sanitised globally: a `$`-key that reaches a query from user
// input (e.g. `{ email: { $ne: null } }`) is wrapped in `$eq` instead of
// being run as an operator. Code that means an operator uses `mongoose.trusted()`.
mongoose.set('sanitizeFilter', true);
mongoose.set('strictQuery', true);
// Fail fast instead of queueing queries while the database is away: the
// request gets a 503 page and the driver reconnects in the background.
mongoose.set('bufferCommands', false);

/**
 * Marks a filter object written by our code (not taken from input) as
 * allowed to hold operators: `{ archived: trusted({ $ne: true }) }`.
 */
export const trusted = <T>(filter: T): T => mongoose.trusted(filter) as T;

/**
 * The driver's collection behind a model, typed by the model's documents.
 * For the few hot writes that build complete documents themselves:
 * Model.create casts, defaults and validates through a Mongoose document,
 * which cost about a fifth of the app's CPU per checkout. Whoever writes
 * this way sets every field the schema would (defaults, timestamps,
 * `__v`); a test holds each such document to its schema.
 */
export const rawCollection = <T extends Document>(model: Model<T>): Collection<T> => model.collection as unknown as Collection<T>;

/** Connects the default Mongoose connection and builds every model's indexes. */
export async function connectDb(uri: string): Promise<typeof mongoose> {
  await mongoose.connect(uri, {
    serverSelectionTimeoutMS: 3_000,
    connectTimeoutMS: 3_000,
    socketTimeoutMS: 20_000,
    heartbeatFrequencyMS: 2_000,
    // A pool size in the URI wins (the embedded FerretDB asks for a small one: see EmbeddedEngine.uri).
    ...(/[?&]maxPoolSize=/i.test(uri) ? {} : { maxPoolSize: 20 }),
    autoIndex: false,
  });
  return mongoose;
}

/**
 * Creates the indexes every registered model declares. Done once at start
 * (autoIndex is off so a restarted engine is not hit by index builds).
 */
export async function ensureIndexes(): Promise<void> {
  for (const model of Object.values(mongoose.models)) {
    await model.createCollection().catch((e: { codeName?: string }) => {
      if (e.codeName !== 'NamespaceExists') throw e;
    });
    await model.createIndexes();
  }
}

export async function disconnectDb(): Promise<void> {
  await mongoose.disconnect();
}

/** True when the database answers a ping within `timeoutMs`. */
export async function pingDb(timeoutMs = 2_000): Promise<boolean> {
  const db = mongoose.connection.db;
  if (!db || mongoose.connection.readyState !== 1) return false;
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<false>((r) => {
      timer = setTimeout(() => r(false), timeoutMs);
    });
    return await Promise.race([db.command({ ping: 1 }).then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

const UNAVAILABLE = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
]);

/** Is this error the database being unreachable (as opposed to a bad query)? */
export function isDbUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; depth++) {
    const name = (e as { name?: string }).name ?? '';
    const msg = (e as { message?: string }).message ?? '';
    const code = (e as { code?: unknown }).code;
    if (UNAVAILABLE.has(name) || /before initial connection is complete|Client must be connected|connection .* closed/i.test(msg))
      return true;
    // The engine died while the driver wrote to its socket: Node's own socket error, not wrapped by the driver.
    if (code === 'EPIPE' || code === 'ECONNRESET' || /socket has been ended by the other party/i.test(msg)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
