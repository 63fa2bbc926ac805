import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from './logger';
import { redactUrl } from './redact';

declare module 'http' {
  interface IncomingMessage {
    /** The request's id: a valid incoming `X-Request-Id`, or a new one; echoed in the response. */
    id: string;
    /** A logger whose every line carries the request (id, method, redacted URL). */
    log: Logger;
  }
}

/** Requests whose completion is not logged: probes and static files, many and uneventful. */
const quiet = (url: string): boolean => url === '/healthz' || url === '/readyz' || url.startsWith('/static/');

/**
 * One structured log line per request, with a request id on every line the
 * request logs (`req.log`). A valid incoming `X-Request-Id` (from a load
 * balancer) is kept; it is echoed back in the response.
 *
 * Written for the way a page goes: `req.log` is made the first time a route
 * logs (most never do), and the completion line is built only when its
 * level is enabled. pino-http made a child logger and serialised the
 * request for every request, whatever the level.
 */
export function requestLogger(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && /^[\w-]{8,64}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', id);
    req.id = id;
    const url = req.url;
    let child: Logger | undefined;
    // Never the raw URL: tokens in paths and queries, and card-like numbers, are redacted first.
    const log = () => (child ??= logger.child({ req: { id, method: req.method, url: redactUrl(url) } }));
    Object.defineProperty(req, 'log', { configurable: true, enumerable: false, get: log });
    if (!quiet(url)) {
      const started = Date.now();
      const done = () => {
        res.off('finish', done);
        res.off('close', done);
        const status = res.statusCode;
        const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
        if (!logger.isLevelEnabled(level)) return;
        log()[level](
          { res: { status }, responseTime: Date.now() - started },
          status >= 500 ? 'request errored' : res.writableFinished ? 'request completed' : 'request aborted',
        );
      };
      res.on('finish', done);
      res.on('close', done);
    }
    next();
  };
}
