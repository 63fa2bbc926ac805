import mongoose from 'mongoose';
import type { Logger } from './logger';

export interface DbHealthOptions {
  /** How often the database is pinged. */
  everyMs?: number;
  /** A ping unanswered after this long means the database is down. */
  timeoutMs?: number;
  logger?: Logger;
}

/**
 * Knows, within about a second, whether the database answers. A stopped
 * (SIGSTOP) engine keeps its sockets open and answers nothing, so the
 * driver alone would let a request wait for its socket timeout; with this
 * the edge can answer 503 at once while the database is away, and give a
 * request already waiting its 503 before two seconds have passed.
 *
 * One ping at a time: while one is unanswered no other is sent, so a
 * stopped engine never fills the connection pool with pings.
 */
export class DbHealth {
  private healthy = true;
  private timer?: NodeJS.Timeout;
  private pending?: { since: number };
  private readonly everyMs: number;
  private readonly timeoutMs: number;

  constructor(private readonly opts: DbHealthOptions = {}) {
    this.everyMs = opts.everyMs ?? 400;
    this.timeoutMs = opts.timeoutMs ?? 1_000;
  }

  /** False from the moment a ping has gone unanswered for `timeoutMs`, until one is answered. */
  get up(): boolean {
    if (this.pending && Date.now() - this.pending.since > this.timeoutMs) this.mark(false);
    return this.healthy;
  }

  start(): this {
    if (this.timer) return this;
    this.timer = setInterval(() => this.check(), this.everyMs);
    this.timer.unref();
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One ping (unless one is still out); resolves with the state after it. */
  async check(): Promise<boolean> {
    if (this.pending) return this.up;
    const db = mongoose.connection.db;
    if (!db || mongoose.connection.readyState !== 1) {
      this.mark(false);
      return false;
    }
    const mine = { since: Date.now() };
    this.pending = mine;
    try {
      // The driver's own timeout ends the ping (and its connection) when the engine answers nothing.
      await db.command({ ping: 1 }, { timeoutMS: this.timeoutMs });
      this.mark(true);
    } catch {
      this.mark(false);
    } finally {
      if (this.pending === mine) this.pending = undefined;
    }
    return this.healthy;
  }

  private mark(up: boolean): void {
    if (up === this.healthy) return;
    this.healthy = up;
    if (up) this.opts.logger?.info('database answers again');
    else this.opts.logger?.warn('database does not answer: pages answer 503 until it does');
  }
}
