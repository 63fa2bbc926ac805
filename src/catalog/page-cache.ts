import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { SESSION_COOKIE } from '../platform/security';

interface Entry {
  generation: number;
  at: number;
  /** The page as bytes, with its ETag worked out once (Express would hash the page on every send). */
  body: Buffer;
  etag: string;
}

/**
 * Keeps the storefront pages rendered for visitors without a session.
 *
 * Such a visitor has no user, no cart, no flash message and no CSRF token,
 * so a page depends only on its URL and language: it is served again
 * without rendering until `generation()` moves (for the storefront, the
 * catalogue's: any change of products or stock, so an edit shows as soon
 * as this process has reloaded) or `ttlMs` passes (for what moves with
 * the clock: the month's produce, the co-op of the day). A response that
 * sets a cookie (a page with a form starts a session) or is not a 200 is
 * never kept.
 */
export function pageCache(opts: {
  paths: (path: string) => boolean;
  generation: () => number;
  max?: number;
  ttlMs?: number;
}): RequestHandler {
  const max = opts.max ?? 500;
  const ttlMs = opts.ttlMs ?? 60_000;
  const pages = new Map<string, Entry>();
  return (req, res, next) => {
    if (req.method !== 'GET' || !opts.paths(req.path) || req.originalUrl.length > 512) return next();
    if (req.headers.cookie?.includes(`${SESSION_COOKIE}=`)) return next();
    const key = `${req.locale}|${req.originalUrl}`;
    const generation = opts.generation();
    const hit = pages.get(key);
    if (hit && hit.generation === generation && Date.now() - hit.at < ttlMs) {
      res.set('ETag', hit.etag).type('html').send(hit.body);
      return;
    }
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
        if (pages.size >= max) pages.delete(pages.keys().next().value!);
        const bytes = Buffer.from(body);
        const etag = `W/"${bytes.length.toString(16)}-${createHash('sha1').update(bytes).digest('base64url').slice(0, 27)}"`;
        pages.set(key, { generation, at: Date.now(), body: bytes, etag });
      }
      return send(body);
    }) as typeof res.send;
    next();
  };
}
