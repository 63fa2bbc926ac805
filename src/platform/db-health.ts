import { MongoClient } from 'mongodb';
import type { Logger } from './logger';

export interface DbHealthOptions {
  /** The database to watch, reached over a connection of the monitor's own. */
  uri: string;
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
 * The pings go over a connection of their own: on the app's pool a ping
 * would queue behind the requests of a busy minute and call overload an
 * outage. One ping at a time: while one is unanswered no other is sent.
 */
export class DbHealth {
  private healthy = true;
  private timer?: NodeJS.Timeout;
  private pending?: { since: number };
  private readonly everyMs: number;
  private readonly timeoutMs: number;
  private client: MongoClient;

  constructor(private readonly opts: DbHealthOptions) {
    this.everyMs = opts.everyMs ?? 400;
    this.timeoutMs = opts.timeoutMs ?? 1_000;
    this.client = this.newClient();
  }

  private newClient(): MongoClient {
    return new MongoClient(this.opts.uri, {
      maxPoolSize: 1,
      serverSelectionTimeoutMS: this.timeoutMs,
      connectTimeoutMS: this.timeoutMs,
      heartbeatFrequencyMS: 2_000,
    });
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
    void this.client.close().catch(() => undefined);
  }

  /** One ping (unless one is still out); resolves with the state after it. */
  async check(): Promise<boolean> {
    if (this.pending) {
      // A ping a stopped engine swallowed may never come back: after a while it is dropped
      // with its connection, so the next ping can tell when the engine answers again.
      if (Date.now() - this.pending.since > 3 * this.timeoutMs) this.abandonPending();
      return this.up;
    }
    const mine = { since: Date.now() };
    this.pending = mine;
    const client = this.client;
    try {
      await client.db('admin').command({ ping: 1 }, { timeoutMS: this.timeoutMs });
      if (this.pending === mine) this.mark(true);
    } catch {
      if (this.pending === mine) {
        this.mark(false);
        // A client whose first connection failed stays closed for good ("Topology is closed"): start afresh.
        this.replaceClient();
      }
    } finally {
      if (this.pending === mine) this.pending = undefined;
    }
    return this.healthy;
  }

  private abandonPending(): void {
    this.mark(false);
    this.pending = undefined;
    this.replaceClient();
  }

  private replaceClient(): void {
    const old = this.client;
    this.client = this.newClient();
    void old.close(true).catch(() => undefined);
  }

  private mark(up: boolean): void {
    if (up === this.healthy) return;
    this.healthy = up;
    if (up) this.opts.logger?.info('database answers again');
    else this.opts.logger?.warn('database does not answer: pages answer 503 until it does');
  }
}
