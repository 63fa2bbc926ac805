import { randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import { AppError, notFound } from '../platform/errors';
import { trusted } from '../platform/db';
import { audit } from '../platform/audit';
import { BulkJobModel, type BulkJob } from './bulk.model';
import type { Transfers } from './transfers.service';

export const MAX_BULK_ITEMS = 150;

/**
 * Starts a bulk release of the given transfers: the job document is
 * written first (so it survives the process), then worked through in the
 * background. Returns the job id; the progress page reads the job.
 */
export async function startBulkRelease(
  transfers: Pick<Transfers, 'releaseTransfer'>,
  actorId: string,
  transferIds: string[],
): Promise<string> {
  const ids = [...new Set(transferIds)];
  if (!ids.length) throw new AppError('bulk_empty', 'Choose at least one transfer', 422);
  if (ids.length > MAX_BULK_ITEMS) throw new AppError('bulk_too_large', `At most ${MAX_BULK_ITEMS} at once`, 422);
  const id = randomUUID();
  await BulkJobModel.create({
    _id: id,
    kind: 'release',
    status: 'running',
    items: ids.map((t) => ({ transferId: t, state: 'queued', message: '' })),
    createdBy: new Types.ObjectId(actorId),
  });
  await audit(actorId, 'transfer.bulk_release.start', `bulk:${id}`, null, { transfers: ids });
  setImmediate(() => void runBulkJob(transfers, id).catch(() => undefined));
  return id;
}

/** How long one process may work on a job before another may take it over. */
const JOB_LEASE_MS = 120_000;

/**
 * Works through a job's queued items, one release at a time, saving each
 * result as it goes. One process at a time runs a job: it takes a lease on
 * the job document (a conditional update), and a second caller returns at
 * once. Release itself is once-only per transfer, so an item retried after
 * a crash cannot pay twice.
 */
export async function runBulkJob(transfers: Pick<Transfers, 'releaseTransfer'>, id: string): Promise<BulkJob | null> {
  const now = new Date();
  const lease = await BulkJobModel.updateOne(
    { _id: id, status: 'running', $or: [{ leaseUntil: null }, { leaseUntil: trusted({ $lt: now }) }] },
    { $set: { leaseUntil: new Date(now.getTime() + JOB_LEASE_MS) } },
  );
  if (lease.matchedCount === 0) return BulkJobModel.findById(id).lean();
  try {
    const job = await BulkJobModel.findById(id).lean();
    if (!job || job.status === 'done') return job;
    const items = job.items.map((i) => ({ ...i }));
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (item.state !== 'queued') continue;
      try {
        const t = await transfers.releaseTransfer(item.transferId, job.createdBy ? String(job.createdBy) : undefined);
        item.state = t.status === 'sent' ? 'sent' : t.status === 'failed' ? 'failed' : 'skipped';
        item.message = t.status === 'failed' ? `${t.lastError?.code ?? ''}: ${t.lastError?.message ?? ''}` : t.status;
      } catch (err) {
        item.state = err instanceof AppError && err.code === 'transfer_already_sent' ? 'skipped' : 'failed';
        item.message = err instanceof AppError ? err.code : err instanceof Error ? err.message.slice(0, 200) : 'error';
      }
      await BulkJobModel.updateOne({ _id: id }, { $set: { [`items.${i}`]: item, leaseUntil: new Date(Date.now() + JOB_LEASE_MS) } });
    }
    await BulkJobModel.updateOne({ _id: id }, { $set: { status: 'done' } });
    await audit(job.createdBy ? String(job.createdBy) : null, 'transfer.bulk_release.done', `bulk:${id}`, null, {
      results: items.map((i) => `${i.transferId} ${i.state}`),
    });
    return BulkJobModel.findById(id).lean();
  } finally {
    await BulkJobModel.updateOne({ _id: id }, { $set: { leaseUntil: null } });
  }
}

/** For the periodic job: picks up jobs left running by a stopped process. */
export async function resumeBulkJobs(transfers: Pick<Transfers, 'releaseTransfer'>): Promise<number> {
  const jobs = await BulkJobModel.find({ status: 'running' }, { _id: 1 }).limit(20).lean();
  for (const j of jobs) await runBulkJob(transfers, j._id);
  return jobs.length;
}

export async function getBulkJob(id: string): Promise<BulkJob> {
  const job = await BulkJobModel.findById(id).lean();
  if (!job) throw notFound('bulk_job_not_found', 'No such job');
  return job;
}
