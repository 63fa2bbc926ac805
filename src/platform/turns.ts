/**
 * At most `max` tasks at a time; the rest wait their turn, first come,
 * first served. For work that is heavy on something the process has
 * little of, where running more at once only holds more of it: a password
 * hash takes 19 MiB and a core for 20–30 ms, so a burst of sign-ins run
 * four at a time (libuv's threads) holds 76 MiB at once and finishes no
 * sooner on two cores than two at a time.
 */
export class Turns {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  /** The most tasks that ever ran at once (for tests and the curious). */
  busiest = 0;

  constructor(private readonly max: number) {
    if (!(max >= 1)) throw new Error(`Turns needs at least one at a time, not ${max}`);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    this.busiest = Math.max(this.busiest, this.running);
    try {
      return await task();
    } finally {
      // The turn passes straight to the next in line, so `running` never dips and lets a newcomer jump the queue.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  /** Tasks waiting for a turn. */
  get queued(): number {
    return this.waiting.length;
  }
}
