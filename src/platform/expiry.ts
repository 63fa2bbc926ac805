import { trusted } from './db';
import type { Job } from './jobs';

/**
 * Documents that expire. A feature declares "documents of this model
 * expire at this date field (or `afterMs` after it)", and `expiryJob`
 * gives the job that deletes them; the feature exports that job like any
 * other (see jobs.ts).
 *
 * Engine limit: the embedded FerretDB rejects TTL indexes
 * (`expireAfterSeconds` in createIndexes), so nothing deletes an expired
 * document by itself. On MongoDB a TTL index could replace this job.
 */
export interface Expiry {
  /** The job's name (kebab-case, unique among jobs). */
  name: string;
  /** The documents' model (all that is used of it is `find` for the `_id`s and `deleteMany`). */
  model: {
    find(filter: Record<string, unknown>, projection: { _id: 1 }): PromiseLike<{ _id: unknown }[]>;
    deleteMany(filter: Record<string, unknown>): PromiseLike<{ deletedCount: number }>;
  };
  /** A date field of the documents. */
  field: string;
  /** How long after `field` a document expires; 0 (the default) when `field` is the expiry date itself. */
  afterMs?: number;
  /** How often the job runs; one minute by default. */
  everyMs?: number;
}

/** Expired documents are deleted this many at a time, by `_id`. */
const BATCH = 100;

/**
 * Deletes the documents that expired before `now`; returns how many went.
 *
 * It reads the expired `_id`s first, then deletes them a batch at a time,
 * by `_id` and still expired (a session touched in between stays). On the
 * embedded FerretDB a delete whose filter is not `_id` holds the
 * collection's write lock while it reads every document (a date range is
 * not answered by an index there): 1.3 s for 10,000 sessions with none
 * expired, during which every session write waited, past the session
 * store's 1.2 s deadline. A 22-minute soak answered 1,238 pages 503 in two
 * such sweeps. Reading takes no lock, and each batch is an index lookup.
 */
export async function deleteExpired(expiry: Expiry, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - (expiry.afterMs ?? 0));
  // Our own operators: without trusted() the global sanitizeFilter would turn them into literals.
  const expired = () => ({ [expiry.field]: trusted({ $lt: before }) });
  const ids = (await expiry.model.find(expired(), { _id: 1 })).map((d) => d._id);
  let deleted = 0;
  for (let i = 0; i < ids.length; i += BATCH) {
    const r = await expiry.model.deleteMany({ _id: trusted({ $in: ids.slice(i, i + BATCH) }), ...expired() });
    deleted += r.deletedCount;
  }
  return deleted;
}

/** The job that deletes expired documents. Idempotent: any process may run it. */
export function expiryJob(expiry: Expiry): Job {
  return { name: expiry.name, everyMs: expiry.everyMs ?? 60_000, run: () => deleteExpired(expiry) };
}
