import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import mongoose, { Schema } from 'mongoose';
import { isDuplicateKey } from './claims';
import { trusted } from './db';
import type { Logger } from './logger';

/**
 * Periodic work. Features describe their jobs (`Job`) and export them from
 * their `index.ts`; nothing starts on import. `server.ts` gives them all to
 * one `JobRunner`, which it starts after listening and stops on shutdown.
 */
export interface Job {
  /** Unique, kebab-case; also the lease's key. */
  name: string;
  /** Aim between runs; the runner adds jitter. */
  everyMs: number;
  run: () => Promise<unknown>;
  /**
   * Runs in every app process (refreshing this process's memory, e.g. the
   * catalogue read model). Otherwise one process at a time holds the job's
   * lease and runs it.
   */
  perProcess?: boolean;
  /**
   * How long a run's lease lasts before another process may take the job
   * over (the runner's `leaseMs` by default). The lease is renewed every
   * third of this while the run goes on, so it bounds how long a job stays
   * stuck after its process died mid-run, not how long a run may take.
   */
  leaseMs?: number;
  /**
   * The longest wait after failures (the runner's `maxBackoffMs` by
   * default). A job whose every run matters as soon as it can succeed
   * again (a poll that keeps memory current) sets its own interval here.
   */
  maxBackoffMs?: number;
}

/** What happened when a job was due (or asked for with `runNow`). */
export type JobOutcome = 'done' | 'failed' | 'running' | 'held';

export interface JobRunnerOptions {
  logger: Logger;
  /** This runner's name in the leases; unique per runner (host, pid and a random part by default). */
  owner?: string;
  /** Each wait is the interval ± this fraction of it, so processes started together drift apart. */
  jitter?: number;
  /** The longest wait after failures; a job's own interval is never shortened by it. */
  maxBackoffMs?: number;
  /** A leased job's lease when the job sets none. */
  leaseMs?: number;
  /** In [0, 1); tests pin it. */
  random?: () => number;
}

export const JOB_DEFAULTS = { jitter: 0.15, maxBackoffMs: 30 * 60_000, leaseMs: 60_000 } as const;

/**
 * The wait before a job's next run: its interval, or after `failures`
 * failures in a row the interval doubled each time up to `maxBackoffMs`
 * (never less than the interval), then ± `jitter` of that.
 */
export function nextDelay(
  everyMs: number,
  failures: number,
  opts: { jitter: number; maxBackoffMs: number },
  random: () => number = Math.random,
): number {
  const base = failures > 0 ? Math.min(everyMs * 2 ** Math.min(failures, 30), Math.max(everyMs, opts.maxBackoffMs)) : everyMs;
  return Math.max(1, Math.round(base * (1 + opts.jitter * (2 * random() - 1))));
}

/**
 * One document per leased job. A lease is taken by one conditional write
 * (expired, or already ours); single-document writes are atomic on MongoDB
 * and on our engine build (see test/platform/engine.conformance.test.ts).
 * After a run, `until` is the job's next due time, so another process does
 * not run it again before then; if the owner dies, it is taken over then.
 */
interface JobLease {
  _id: string;
  owner: string;
  until: Date;
  lastRunAt?: Date;
  lastError?: string | null;
  runs: number;
}

export const JobLeaseModel = mongoose.model<JobLease>(
  'JobLease',
  new Schema<JobLease>(
    { _id: String, owner: String, until: Date, lastRunAt: Date, lastError: String, runs: { type: Number, default: 0 } },
    { versionKey: false, collection: 'jobs' },
  ),
);

interface Slot {
  job: Job;
  timer?: NodeJS.Timeout;
  running?: Promise<JobOutcome>;
  failures: number;
  /** The wait after the last run, decided when it ended (also the lease's next due time). */
  nextMs?: number;
}

/**
 * Runs each job on its interval with jitter, never overlapping itself.
 * A failure is logged and the job waits longer each time (capped); the
 * first success brings back the normal interval. Jobs not marked
 * `perProcess` run in one process at a time, under a lease in `jobs`.
 * All state lives in the instance: an app may build several (tests do).
 */
export class JobRunner {
  readonly owner: string;
  private readonly slots = new Map<string, Slot>();
  private readonly logger: Logger;
  private readonly jitter: number;
  private readonly maxBackoffMs: number;
  private readonly leaseMs: number;
  private readonly random: () => number;
  private started = false;
  private stopped = false;

  constructor(jobs: Job[], opts: JobRunnerOptions) {
    this.logger = opts.logger;
    this.owner = opts.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.jitter = opts.jitter ?? JOB_DEFAULTS.jitter;
    this.maxBackoffMs = opts.maxBackoffMs ?? JOB_DEFAULTS.maxBackoffMs;
    this.leaseMs = opts.leaseMs ?? JOB_DEFAULTS.leaseMs;
    this.random = opts.random ?? Math.random;
    for (const job of jobs) {
      if (this.slots.has(job.name)) throw new Error(`two jobs are named ${job.name}`);
      if (!(job.everyMs > 0)) throw new Error(`job ${job.name} needs a positive interval`);
      this.slots.set(job.name, { job, failures: 0 });
    }
  }

  /** The names of the jobs this runner runs. */
  get names(): string[] {
    return [...this.slots.keys()];
  }

  /** Schedules every job's first run one (jittered) interval from now. */
  start(): this {
    if (this.started || this.stopped) return this;
    this.started = true;
    for (const slot of this.slots.values()) this.schedule(slot, this.delay(slot));
    return this;
  }

  /**
   * Stops the timers, waits for the runs under way, then gives back the
   * leases this runner holds, so another process takes the jobs over at
   * once (shutdown closes the database only after this resolves).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const slot of this.slots.values()) clearTimeout(slot.timer);
    await Promise.allSettled([...this.slots.values()].flatMap((s) => (s.running ? [s.running] : [])));
    const leased = [...this.slots.values()].filter((s) => !s.job.perProcess).map((s) => s.job.name);
    if (!leased.length) return;
    const now = new Date();
    // Given back as already past: a claim in the same millisecond (`until` < its now) would not see it expired.
    await JobLeaseModel.updateMany(
      { _id: trusted({ $in: leased }), owner: this.owner, until: trusted({ $gt: now }) },
      { $set: { until: new Date(now.getTime() - 1) } },
    ).catch((err: unknown) => this.logger.warn({ err }, 'job leases not released; other processes take them over when they expire'));
  }

  /**
   * Runs `name` now (outside its schedule, which goes on unchanged), under
   * the same rules: not while it runs here, and not while another process
   * holds its lease. Failures are logged and counted, not thrown.
   */
  runNow(name: string): Promise<JobOutcome> {
    const slot = this.slots.get(name);
    if (!slot) throw new Error(`no job named ${name}`);
    return this.runOnce(slot);
  }

  /** Consecutive failures of `name` in this runner (0 after a success). */
  failuresOf(name: string): number {
    return this.slots.get(name)?.failures ?? 0;
  }

  private delay(slot: Slot): number {
    return nextDelay(
      slot.job.everyMs,
      slot.failures,
      { jitter: this.jitter, maxBackoffMs: slot.job.maxBackoffMs ?? this.maxBackoffMs },
      this.random,
    );
  }

  private schedule(slot: Slot, ms: number): void {
    if (this.stopped) return;
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      void this.runOnce(slot).then((outcome) => {
        // A run of runNow's may still be under way: its own end schedules nothing, so wait one interval.
        this.schedule(slot, outcome === 'running' ? this.delay(slot) : (slot.nextMs ?? this.delay(slot)));
      });
    }, ms);
    // Timers never keep a process alive on their own (the server's socket does).
    slot.timer.unref();
  }

  private runOnce(slot: Slot): Promise<JobOutcome> {
    if (slot.running) return Promise.resolve('running');
    const run = this.attempt(slot).finally(() => {
      slot.running = undefined;
    });
    slot.running = run;
    return run;
  }

  private async attempt(slot: Slot): Promise<JobOutcome> {
    const { job } = slot;
    const leased = !job.perProcess;
    const leaseMs = job.leaseMs ?? this.leaseMs;
    try {
      if (leased && !(await this.acquire(job.name, leaseMs))) {
        // Another process runs it: look again after the plain interval (our own failures are not its).
        slot.nextMs = nextDelay(job.everyMs, 0, { jitter: this.jitter, maxBackoffMs: this.maxBackoffMs }, this.random);
        return 'held';
      }
    } catch (err) {
      return this.failed(slot, err, 'job lease not taken');
    }
    // Renewals go one after another, and the last has landed before the run is recorded (or the lease released).
    let renewing = Promise.resolve();
    const renew = leased
      ? setInterval(() => (renewing = renewing.then(() => this.renew(job.name, leaseMs))), Math.max(1, Math.floor(leaseMs / 3)))
      : undefined;
    renew?.unref();
    let error: unknown = null;
    try {
      await job.run();
    } catch (err) {
      error = err ?? new Error('job failed');
    } finally {
      clearInterval(renew);
      await renewing;
    }
    const outcome = error === null ? this.succeeded(slot) : this.failed(slot, error, 'job failed');
    if (leased) await this.finish(job.name, slot.nextMs ?? 0, error);
    return outcome;
  }

  private succeeded(slot: Slot): JobOutcome {
    slot.failures = 0;
    slot.nextMs = this.delay(slot);
    return 'done';
  }

  private failed(slot: Slot, err: unknown, msg: string): JobOutcome {
    slot.failures++;
    slot.nextMs = this.delay(slot);
    this.logger.warn({ err, job: slot.job.name, failures: slot.failures, retryInMs: slot.nextMs }, msg);
    return 'failed';
  }

  /**
   * One conditional write: the lease is ours if it has expired or is ours
   * already. When another process holds it, the filter matches nothing and
   * the upsert's insert hits the existing `_id`: a duplicate key, "not
   * ours" (as is a racing first upsert of a new job).
   */
  private async acquire(name: string, leaseMs: number): Promise<boolean> {
    const now = new Date();
    try {
      const doc = await JobLeaseModel.findOneAndUpdate(
        { _id: name, $or: [{ until: trusted({ $lt: now }) }, { owner: this.owner }] },
        { $set: { owner: this.owner, until: new Date(now.getTime() + leaseMs) } },
        { upsert: true, returnDocument: 'after', lean: true },
      );
      return doc !== null;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  private async renew(name: string, leaseMs: number): Promise<void> {
    try {
      const r = await JobLeaseModel.updateOne({ _id: name, owner: this.owner }, { $set: { until: new Date(Date.now() + leaseMs) } });
      if (r.matchedCount === 0) this.logger.warn({ job: name }, 'job lease lost during a run; another process may start it');
    } catch (err) {
      this.logger.warn({ err, job: name }, 'job lease not renewed');
    }
  }

  /** Records the run and keeps the lease until the job is next due here. */
  private async finish(name: string, nextMs: number, error: unknown): Promise<void> {
    const now = new Date();
    const lastError = error === null ? null : (error instanceof Error ? error.message : String(error)).slice(0, 500);
    try {
      await JobLeaseModel.updateOne(
        { _id: name, owner: this.owner },
        { $set: { until: new Date(now.getTime() + nextMs), lastRunAt: now, lastError }, $inc: { runs: 1 } },
      );
    } catch (err) {
      this.logger.warn({ err, job: name }, 'job run not recorded');
    }
  }
}
