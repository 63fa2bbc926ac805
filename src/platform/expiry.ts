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
  /** The documents' model (all that is used of it is `deleteMany`). */
  model: { deleteMany(filter: Record<string, unknown>): PromiseLike<{ deletedCount: number }> };
  /** A date field of the documents. */
  field: string;
  /** How long after `field` a document expires; 0 (the default) when `field` is the expiry date itself. */
  afterMs?: number;
  /** How often the job runs; one minute by default. */
  everyMs?: number;
}

/** Deletes the documents that expired before `now`; returns how many went. */
export async function deleteExpired(expiry: Expiry, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - (expiry.afterMs ?? 0));
  // Our own operator: without trusted() the global sanitizeFilter would turn it into a literal.
  const r = await expiry.model.deleteMany({ [expiry.field]: trusted({ $lt: before }) });
  return r.deletedCount;
}

/** The job that deletes expired documents. Idempotent: any process may run it. */
export function expiryJob(expiry: Expiry): Job {
  return { name: expiry.name, everyMs: expiry.everyMs ?? 60_000, run: () => deleteExpired(expiry) };
}
