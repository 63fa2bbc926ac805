import type { Logger } from './logger';
import { sweepRateLimits } from './rate-limit';

export interface Sweeper {
  name: string;
  everyMs: number;
  run: () => Promise<unknown>;
}

const registered: Sweeper[] = [{ name: 'rate-limits', everyMs: 60_000, run: () => sweepRateLimits() }];

/** Features add their periodic clean-ups here (stale reservations, expired tokens). */
export function registerSweeper(s: Sweeper): void {
  registered.push(s);
}

/**
 * Runs each sweeper on its interval. They are idempotent, so several app
 * processes may run them at once. Returns a function that stops them and
 * resolves once the runs under way have finished (shutdown closes the
 * database only after that).
 */
export function startSweepers(logger: Logger): () => Promise<void> {
  const running = new Set<Promise<unknown>>();
  const timers = registered.map((s) => {
    let busy = false;
    const t = setInterval(() => {
      if (busy) return; // a slow run is never overlapped by the next one
      busy = true;
      const run = s
        .run()
        .catch((err: unknown) => logger.warn({ err, sweeper: s.name }, 'sweeper failed'))
        .finally(() => {
          busy = false;
          running.delete(run);
        });
      running.add(run);
    }, s.everyMs);
    t.unref();
    return t;
  });
  return async () => {
    timers.forEach(clearInterval);
    await Promise.allSettled([...running]);
  };
}
