import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ROOT_DIR } from '../../src/platform/config';
import { JobLeaseModel, JobRunner, nextDelay, type Job } from '../../src/platform/jobs';
import { createLogger } from '../../src/platform/logger';
import { testEngines } from '../support/engines';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const silent = createLogger(process.env.JOBS_LOG ?? 'silent', false);
/** setTimeout may fire up to a millisecond early (it rounds), so lower bounds allow for that. */
const SLACK_MS = 2;

/** A logger whose lines the test can read. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('warn', false, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { logger, lines };
}

/** Counts how many runs of a job are under way at once, across runners. */
function concurrency() {
  const c = { now: 0, max: 0, runs: 0 };
  const during = async (ms: number) => {
    c.now++;
    c.runs++;
    c.max = Math.max(c.max, c.now);
    try {
      await sleep(ms);
    } finally {
      c.now--;
    }
  };
  return Object.assign(c, { during });
}

/** The time from the end of each run to the start of the next. */
const waitsBetween = (starts: number[], ends: number[]): number[] => starts.slice(1).map((s, i) => s - ends[i]!);

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await sleep(10);
  }
}

describe('platform/jobs', () => {
  const runners: JobRunner[] = [];
  const make = (jobs: Job[], opts: Partial<ConstructorParameters<typeof JobRunner>[1]> = {}) => {
    const r = new JobRunner(jobs, { logger: silent, ...opts });
    runners.push(r);
    return r;
  };
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
  });

  describe('nextDelay', () => {
    const opts = { jitter: 0.15, maxBackoffMs: 10_000 };

    it('stays within ± the jitter of the interval, and spreads over that range', () => {
      const seen = Array.from({ length: 2_000 }, () => nextDelay(1_000, 0, opts));
      assert.ok(
        seen.every((d) => d >= 850 && d <= 1_150),
        `${Math.min(...seen)}–${Math.max(...seen)}`,
      );
      assert.ok(Math.min(...seen) < 880 && Math.max(...seen) > 1_120, 'uses the whole range');
      assert.equal(
        nextDelay(1_000, 0, opts, () => 0),
        850,
      );
      assert.equal(
        nextDelay(1_000, 0, opts, () => 0.5),
        1_000,
      );
      assert.equal(
        nextDelay(1_000, 0, opts, () => 0.999_999),
        1_150,
      );
    });

    it('doubles after each failure in a row, up to the cap, then the interval again after a success', () => {
      const mid = () => 0.5;
      assert.deepEqual(
        [0, 1, 2, 3, 4, 5, 6, 60, 0].map((f) => nextDelay(1_000, f, opts, mid)),
        [1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000, 10_000, 1_000],
      );
    });

    it('never backs off to less than the interval itself', () => {
      assert.equal(
        nextDelay(3_600_000, 3, opts, () => 0.5),
        3_600_000,
      );
    });
  });

  describe('JobRunner', () => {
    describe('a job on its interval', () => {
      it('runs again and again, each wait within the jitter of the interval', async () => {
        const starts: number[] = [];
        const ends: number[] = [];
        const r = make(
          [
            {
              name: `tick-${randomUUID()}`,
              everyMs: 40,
              perProcess: true,
              run: async () => {
                starts.push(Date.now());
                ends.push(Date.now());
              },
            },
          ],
          { jitter: 0.2 },
        );
        r.start();
        await waitFor(() => starts.length >= 6);
        await r.stop();
        for (const wait of waitsBetween(starts, ends)) assert.ok(wait >= 32 - SLACK_MS, `wait ${wait} ms`);
      });

      it('starts nothing on construction, only when started', async () => {
        let runs = 0;
        make([{ name: `idle-${randomUUID()}`, everyMs: 5, perProcess: true, run: async () => void runs++ }]);
        await sleep(60);
        assert.equal(runs, 0);
      });
    });

    describe('a run longer than the interval', () => {
      it('is never overlapped by the next tick or by runNow', async () => {
        const c = concurrency();
        const name = `slow-${randomUUID()}`;
        const r = make([{ name, everyMs: 5, perProcess: true, run: () => c.during(30) }]).start();
        const asked = await Promise.all(Array.from({ length: 10 }, () => r.runNow(name)));
        await waitFor(() => c.runs >= 5);
        await r.stop();
        assert.equal(c.max, 1);
        assert.equal(asked.filter((o) => o === 'done').length, 1);
        assert.ok(asked.filter((o) => o === 'running').length >= 9);
      });
    });

    describe('a job that fails', () => {
      it('is logged, waits longer after each failure up to the cap, and returns to its interval after a success', async () => {
        const { logger, lines } = capturingLogger();
        const name = `flaky-${randomUUID()}`;
        const starts: number[] = [];
        const ends: number[] = [];
        let calls = 0;
        const run = async () => {
          starts.push(Date.now());
          calls++;
          try {
            if (calls <= 4) throw new Error(`boom ${calls}`);
          } finally {
            ends.push(Date.now());
          }
        };
        const r = make([{ name, everyMs: 20, perProcess: true, run }], { logger, jitter: 0, maxBackoffMs: 120 }).start();
        await waitFor(() => calls >= 7);
        await r.stop();
        const waits = waitsBetween(starts, ends).slice(0, 6);
        // 4 failures: 40, 80, 120 (capped), 120; then successes: 20, 20.
        const planned = [40, 80, 120, 120, 20, 20];
        waits.forEach((wait, i) => assert.ok(wait >= planned[i]! - SLACK_MS, `wait ${i}: ${wait} ms < ${planned[i]}`));
        assert.ok(waits[4]! < 100 && waits[5]! < 100, `back to the interval: ${waits.join(', ')}`);
        const failed = lines.filter((l) => l.msg === 'job failed');
        assert.deepEqual(
          failed.slice(0, 4).map((l) => [l.job, l.failures, l.retryInMs, (l.err as { message: string }).message]),
          [
            [name, 1, 40, 'boom 1'],
            [name, 2, 80, 'boom 2'],
            [name, 3, 120, 'boom 3'],
            [name, 4, 120, 'boom 4'],
          ],
        );
        assert.equal(r.failuresOf(name), 0);
      });

      it('with its own maxBackoffMs, waits no longer than that after failures', async () => {
        const { logger, lines } = capturingLogger();
        const name = `poll-${randomUUID()}`;
        let calls = 0;
        const run = async () => {
          calls++;
          if (calls <= 3) throw new Error(`down ${calls}`);
        };
        const r = make([{ name, everyMs: 20, maxBackoffMs: 20, perProcess: true, run }], { logger, jitter: 0, maxBackoffMs: 120 }).start();
        await waitFor(() => calls >= 4);
        await r.stop();
        assert.deepEqual(
          lines.filter((l) => l.msg === 'job failed').map((l) => l.retryInMs),
          [20, 20, 20],
        );
      });

      it('records the last error and the runs in its lease', async () => {
        const name = `leased-fail-${randomUUID()}`;
        let fail = true;
        const r = make([
          {
            name,
            everyMs: 60_000,
            run: async () => {
              if (fail) throw new Error('no luck');
            },
          },
        ]);
        assert.equal(await r.runNow(name), 'failed');
        assert.equal((await JobLeaseModel.findById(name).lean())?.lastError, 'no luck');
        fail = false;
        assert.equal(await r.runNow(name), 'done');
        const lease = await JobLeaseModel.findById(name).lean();
        assert.equal(lease?.lastError, null);
        assert.equal(lease?.runs, 2);
        assert.equal(lease?.owner, r.owner);
      });
    });

    describe('two runners on one database (two app processes)', () => {
      it('never run a leased job at the same time, while both run their perProcess jobs', async function () {
        this.timeout(30_000);
        const shared = concurrency();
        const name = `shared-${randomUUID()}`;
        const local = { a: 0, b: 0 };
        const jobs = (who: 'a' | 'b'): Job[] => [
          { name, everyMs: 10, leaseMs: 5_000, run: () => shared.during(5 + Math.floor(Math.random() * 10)) },
          { name: `local-${randomUUID()}`, everyMs: 10, perProcess: true, run: async () => void local[who]++ },
        ];
        const a = make(jobs('a'), { owner: 'process-a' }).start();
        const b = make(jobs('b'), { owner: 'process-b' }).start();
        // Besides the timers, both hammer the job at once.
        for (let i = 0; i < 20; i++) await Promise.all([a.runNow(name), b.runNow(name), a.runNow(name), b.runNow(name)]);
        await waitFor(() => shared.runs >= 60 && local.a >= 10 && local.b >= 10);
        await Promise.all([a.stop(), b.stop()]);
        assert.equal(shared.max, 1);
        assert.ok(local.a >= 10 && local.b >= 10);
        const lease = await JobLeaseModel.findById(name).lean();
        assert.equal(lease?.runs, shared.runs, 'every run was under the lease');
      });

      it('keep a run longer than its lease to its owner, renewing the lease as it goes', async function () {
        this.timeout(30_000);
        const name = `long-${randomUUID()}`;
        const c = concurrency();
        const job: Job = { name, everyMs: 60_000, leaseMs: 400, run: () => c.during(1_500) };
        const a = make([job], { owner: 'process-a' });
        const b = make([job], { owner: 'process-b' });
        const startedAt = Date.now();
        let ended = false;
        const long = a.runNow(name).finally(() => (ended = true));
        const tries: string[] = [];
        await sleep(20);
        while (!ended) {
          tries.push(await b.runNow(name));
          await sleep(100);
        }
        assert.equal(await long, 'done');
        assert.ok(tries.length >= 5, `${tries.length} tries`);
        assert.deepEqual([...new Set(tries)], ['held'], 'the other runner never got it during the 1.5 s run');
        assert.equal(c.max, 1);
        assert.ok(
          (await JobLeaseModel.findById(name).lean())!.lastRunAt!.getTime() >= startedAt + 1_500,
          'the run outlived its first lease',
        );
      });

      it('hands the job to the other runner once its owner stops', async () => {
        const name = `handover-${randomUUID()}`;
        const ranBy: string[] = [];
        const job = (who: string): Job => ({ name, everyMs: 30, run: async () => void ranBy.push(who) });
        const a = make([job('a')], { owner: 'process-a' });
        assert.equal(await a.runNow(name), 'done');
        const b = make([job('b')], { owner: 'process-b', leaseMs: 5_000 });
        assert.equal(await b.runNow(name), 'held');
        await a.stop();
        assert.equal(await b.runNow(name), 'done');
        assert.deepEqual(ranBy, ['a', 'b']);
      });
    });

    describe('a runner that dies without stopping', () => {
      let child: ChildProcess | undefined;
      afterEach(() => {
        if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      });

      it('keeps its job until the job is next due, then another runner takes it over', async () => {
        const name = `orphan-${randomUUID()}`;
        const ranBy: string[] = [];
        const dead = make([{ name, everyMs: 400, run: async () => void ranBy.push('dead') }], { jitter: 0 });
        assert.equal(await dead.runNow(name), 'done');
        runners.splice(runners.indexOf(dead), 1); // dropped: never stopped, its lease never released
        const until = (await JobLeaseModel.findById(name).lean())!.until.getTime();
        let takenAt = 0;
        const heir = make([
          {
            name,
            everyMs: 10,
            run: async () => {
              takenAt ||= Date.now();
              ranBy.push('heir');
            },
          },
        ]).start();
        await waitFor(() => takenAt > 0);
        await heir.stop();
        assert.ok(takenAt >= until, `taken ${until - takenAt} ms early`);
        assert.equal(ranBy[0], 'dead');
        assert.equal(ranBy[1], 'heir');
      });

      it('is taken over after its lease expires when killed in the middle of a run', async function () {
        this.timeout(30_000);
        const name = `killed-${randomUUID()}`;
        const holder = spawn(
          process.execPath,
          ['--import', 'tsx', join('test', 'support', 'job-holder.ts'), testEngines().db.uri, name, '1500'],
          {
            cwd: ROOT_DIR,
            stdio: ['ignore', 'pipe', 'inherit'],
          },
        );
        child = holder;
        await new Promise<void>((resolve, reject) => {
          holder.stdout!.on('data', (b: Buffer) => b.toString().includes('running') && resolve());
          holder.once('exit', (code) => reject(new Error(`job-holder exited with ${code}`)));
        });
        const exited = new Promise((r) => holder.once('exit', r));
        holder.kill('SIGKILL');
        await exited;
        const heldUntil = (await JobLeaseModel.findById(name).lean())!.until.getTime();
        assert.ok(heldUntil > Date.now(), 'the dead process still holds the lease');
        let takenAt = 0;
        const heir = make([{ name, everyMs: 20, run: async () => void (takenAt ||= Date.now()) }]).start();
        await waitFor(() => takenAt > 0);
        await heir.stop();
        assert.ok(takenAt >= heldUntil, `taken ${heldUntil - takenAt} ms early`);
      });
    });

    describe('stop()', () => {
      it('waits for a run in flight, runs nothing after, and gives the lease back', async () => {
        const name = `inflight-${randomUUID()}`;
        let started = 0;
        let finished = 0;
        const r = make([
          {
            name,
            everyMs: 10,
            run: async () => {
              started++;
              await sleep(200);
              finished++;
            },
          },
        ]).start();
        await waitFor(() => started === 1);
        await r.stop();
        assert.equal(finished, 1, 'the run under way finished before stop() resolved');
        const lease = await JobLeaseModel.findById(name).lean();
        assert.ok(lease!.until.getTime() <= Date.now(), 'released');
        await sleep(60);
        assert.equal(started, 1, 'nothing runs after stop');
      });
    });
  });
});
