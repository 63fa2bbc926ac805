import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { SESSION_COOKIE } from '../platform/security';
import { sendCachedBody, type CachedBody } from '../platform/web';

interface CacheOptions {
  paths: (path: string) => boolean;
  generation: () => number;
  max?: number;
  ttlMs?: number;
}

/**
 * Rendered pages by language and URL, valid until `generation()` moves
 * (for the storefront, the catalogue's: any change of products or stock,
 * so an edit shows as soon as this process has reloaded) or `ttlMs` passes
 * (for what moves with the clock: the month's produce, the co-op of the
 * day). The oldest entry goes first when full.
 */
class Pages<T> {
  private readonly entries = new Map<string, { generation: number; at: number; value: T }>();
  private readonly max: number;
  private readonly ttlMs: number;

  constructor(private readonly opts: CacheOptions) {
    this.max = opts.max ?? 300;
    this.ttlMs = opts.ttlMs ?? 60_000;
  }

  /** The key of a request whose page may be kept, or undefined. */
  keyOf(req: Request): string | undefined {
    if (req.method !== 'GET' || !this.opts.paths(req.path) || req.originalUrl.length > 512) return undefined;
    return `${req.locale}|${req.originalUrl}`;
  }

  get(key: string): T | undefined {
    const hit = this.entries.get(key);
    return hit && hit.generation === this.opts.generation() && Date.now() - hit.at < this.ttlMs ? hit.value : undefined;
  }

  /** A setter bound to the generation current now, before the page is rendered from it. */
  setter(key: string): (value: T) => void {
    const generation = this.opts.generation();
    return (value) => {
      this.entries.delete(key);
      if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, { generation, at: Date.now(), value });
    };
  }
}

const hasSession = (req: Request) => req.headers.cookie?.includes(`${SESSION_COOKIE}=`) ?? false;

/**
 * Keeps the storefront pages rendered for visitors without a session.
 *
 * Such a visitor has no user, no cart, no flash message and no CSRF token,
 * so a page depends only on its URL and language: it is served again
 * without rendering. A response that sets a cookie (a page with a form
 * starts a session) or is not a 200 is never kept.
 */
export function pageCache(opts: CacheOptions): RequestHandler {
  const pages = new Pages<{ body: Buffer; etag: string }>(opts);
  return (req, res, next) => {
    const key = pages.keyOf(req);
    if (!key || hasSession(req)) return next();
    const hit = pages.get(key);
    if (hit) {
      res.set('ETag', hit.etag).type('html').send(hit.body);
      return;
    }
    const keep = pages.setter(key);
    const send = res.send.bind(res);
    res.send = ((body: unknown) => {
      // A page that put something in the session (a CSRF token for a form) is that visitor's own.
      const sessionUsed = Object.keys(req.session ?? {}).some((k) => k !== 'cookie');
      const cacheable =
        !sessionUsed &&
        typeof body === 'string' &&
        res.statusCode === 200 &&
        !res.getHeader('set-cookie') &&
        !String(res.getHeader('cache-control') ?? '').includes('no-store') &&
        String(res.getHeader('content-type') ?? 'text/html').startsWith('text/html');
      if (cacheable) {
        const bytes = Buffer.from(body);
        // The ETag worked out once (Express would hash the page on every send).
        keep({
          body: bytes,
          etag: `W/"${bytes.length.toString(16)}-${createHash('sha1').update(bytes).digest('base64url').slice(0, 27)}"`,
        });
      }
      return send(body);
    }) as typeof res.send;
    next();
  };
}

/**
 * The same pages for visitors with a session (a cart, a sign-in): the
 * page's body is the same for everyone, so it is kept once and put in the
 * layout for each visitor, with their header, cart count, messages and
 * CSRF token (see `CachedBody`). Mounted after the session and the user.
 */
export function bodyCache(opts: CacheOptions): RequestHandler {
  const pages = new Pages<CachedBody>(opts);
  return (req, res, next) => {
    const key = pages.keyOf(req);
    if (!key || !hasSession(req)) return next();
    const hit = pages.get(key);
    if (hit) return sendCachedBody(req, res, hit);
    res.locals.captureBody = pages.setter(key);
    next();
  };
}
