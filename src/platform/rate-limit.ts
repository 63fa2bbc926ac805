import type { RequestHandler } from 'express';
import { rateLimit, type Options, type Store, type ClientRateLimitInfo } from 'express-rate-limit';
import mongoose, { Schema } from 'mongoose';
import { deleteExpired, expiryJob, type Expiry } from './expiry';
import type { Job } from './jobs';

interface RateLimitHit {
  _id: string;
  hits: number;
  expiresAt: Date;
}

// One small document per client and window, addressed by `_id` alone: on
// FerretDB's SQLite backend only `_id` lookups reach an index. Windows that
// have ended expire through the expiry seam (see `rateLimitsJob`).
const RateLimitHitModel = mongoose.model<RateLimitHit>(
  'RateLimitHit',
  new Schema<RateLimitHit>({ _id: String, hits: Number, expiresAt: Date }, { versionKey: false, collection: 'rate_limits' }),
);

/**
 * An express-rate-limit store in MongoDB, so limits hold across app
 * processes. Each window is one document counted with `$inc`, atomic on
 * MongoDB and on our build of FerretDB (see the engine conformance test).
 */
export class MongoRateLimitStore implements Store {
  private windowMs = 60_000;
  constructor(readonly prefix: string) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  private id(key: string, now = Date.now()): { _id: string; resetTime: Date } {
    const windowStart = Math.floor(now / this.windowMs) * this.windowMs;
    return { _id: `${this.prefix}:${key}:${windowStart}`, resetTime: new Date(windowStart + this.windowMs) };
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const { _id, resetTime } = this.id(key);
    const doc = await RateLimitHitModel.findById(_id).lean();
    return doc ? { totalHits: doc.hits, resetTime } : undefined;
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const { _id, resetTime } = this.id(key);
    const doc = await RateLimitHitModel.findOneAndUpdate(
      { _id },
      { $inc: { hits: 1 }, $setOnInsert: { expiresAt: resetTime } },
      { upsert: true, returnDocument: 'after', lean: true },
    );
    return { totalHits: doc?.hits ?? 1, resetTime };
  }

  async decrement(key: string): Promise<void> {
    await RateLimitHitModel.updateOne({ _id: this.id(key)._id }, { $inc: { hits: -1 } });
  }

  async resetKey(key: string): Promise<void> {
    await RateLimitHitModel.deleteOne({ _id: this.id(key)._id });
  }
}

const WINDOWS_EXPIRE: Expiry = { name: 'rate-limits', model: RateLimitHitModel, field: 'expiresAt' };

/** Deletes rate-limit windows that have ended. */
export function sweepRateLimits(now = new Date()): Promise<number> {
  return deleteExpired(WINDOWS_EXPIRE, now);
}

/** The job that deletes rate-limit windows that have ended. */
export const rateLimitsJob: Job = expiryJob(WINDOWS_EXPIRE);

export interface LimitOptions {
  name: string;
  windowMs: number;
  limit: number;
  /** What identifies the client; the IP by default. */
  key?: (req: Parameters<RequestHandler>[0]) => string;
  /** Called when the limit is reached; renders the friendly page by default. */
  onLimited?: RequestHandler;
  /** Count only failed requests (status ≥ 400), e.g. wrong passwords, not sign-ins. */
  skipSuccessfulRequests?: boolean;
}

/**
 * A limiter whose counters live in MongoDB. When the limit is reached the
 * response is 429 with `Retry-After`, rendered by `onLimited`.
 */
export function limiter(opts: LimitOptions): RequestHandler {
  return rateLimit({
    windowMs: opts.windowMs,
    limit: opts.limit,
    skipSuccessfulRequests: opts.skipSuccessfulRequests ?? false,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    store: new MongoRateLimitStore(opts.name),
    keyGenerator: opts.key ?? ((req) => req.ip ?? 'unknown'),
    // Our keys may include an email next to the IP, which the default check rejects.
    validate: { keyGeneratorIpFallback: false },
    handler: (req, res, next) => {
      if (opts.onLimited) return opts.onLimited(req, res, next);
      res.status(429);
      if (req.accepts(['html', 'json']) === 'json') {
        res.json({ error: { code: 'rate_limited', message: 'Too many attempts' } });
        return;
      }
      res.render('errors/429');
    },
  });
}
