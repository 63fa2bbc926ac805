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
 * processes may run them at once. Returns a function that stops them.
 */
export function startSweepers(logger: Logger): () => void {
  const timers = registered.map((s) => {
    const t = setInterval(() => {
      s.run().catch((err: unknown) => logger.warn({ err, sweeper: s.name }, 'sweeper failed'));
    }, s.everyMs);
    t.unref();
    return t;
  });
  return () => timers.forEach(clearInterval);
}
