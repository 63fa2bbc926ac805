import type { Request, RequestHandler, Response } from 'express';
import type { Translate } from '../platform/i18n';
import { contentHash } from '../platform/session-cache';
import { KeptPage, recipientOf, sendCachedBody, sendKept, type CachedBody, type Capture } from '../platform/web';
import type { FrontDoor } from '../platform/front-door';
import type { SessionContent } from '../platform/security';

interface CacheOptions {
  paths: (path: string) => boolean;
  /** What the pages follow: a page kept at one value is not sent once it has moved. */
  generation: () => number | string;
  /**
   * What else a page depends on, added to its key (e.g. the cart's content);
   * undefined: this request's page is neither kept nor sent from the cache.
   */
  vary?: (req: Request, session: SessionContent | undefined) => string | undefined;
  /** The most pages kept, and the most bytes they may take together (about: a string's length counts as its bytes). */
  max?: number;
  maxBytes?: number;
  ttlMs?: number;
  /** The Cache-Control the pages' route sets (the front door sets it too). */
  cacheControl?: string;
}

/**
 * What else a page must still match to be sent again, when its route shows
 * more than the cache's generation follows (a product page shows its own
 * stock levels; the storefront's generation moves only when a product goes
 * in or out of stock). Checked on every hit, so it must be cheap.
 */
export function keepWhile(res: Response, stillRight: () => boolean): void {
  res.locals.keptWhile = stillRight;
}

const stillRightOf = (res: Response) => res.locals.keptWhile as (() => boolean) | undefined;

/**
 * Keeps the page this request renders (`setter`, from `Pages`), with what
 * the route said it must still match (`keepWhile`): unless rendering it
 * changed the session (a page that made the visitor's first token is theirs
 * alone), or `needsStillRight` and the route said nothing.
 */
export function capturePage(
  req: Request,
  res: Response,
  keep: (page: KeptPage, stillRight?: () => boolean) => void,
  { needsStillRight = false }: { needsStillRight?: boolean } = {},
): void {
  const before = req.session ? contentHash(req.session) : '';
  const capture: Capture = {
    part: 'page',
    keep: (html) => {
      if ((req.session ? contentHash(req.session) : '') !== before) return;
      const stillRight = stillRightOf(res);
      if (needsStillRight && !stillRight) return;
      keep(new KeptPage(html, res.locals.t as Translate), stillRight);
    },
  };
  res.locals.capture = capture;
}

/**
 * Rendered pages by language and URL, valid until `generation()` moves
 * (for the storefront, the catalogue's shape: any change of products, or
 * a product going in or out of stock, so an edit shows as soon as this
 * process has reloaded), `ttlMs` passes (for what moves with the clock:
 * the month's produce, the co-op of the day), or the page's own check
 * fails (`keepWhile`). The oldest entry goes first when full.
 */
export class Pages<T> {
  private readonly entries = new Map<
    string,
    { generation: number | string; at: number; value: T; size: number; stillRight?: () => boolean }
  >();
  private readonly max: number;
  private readonly maxBytes: number;
  private readonly ttlMs: number;
  private bytes = 0;

  constructor(
    private readonly opts: CacheOptions,
    private readonly sizeOf: (value: T) => number,
  ) {
    // Pages are held gzipped (KeptPage), about a fifth of their text: the busiest product pages fit by the thousand (the app keeps under 300 MB resident).
    this.max = opts.max ?? 2_000;
    this.maxBytes = opts.maxBytes ?? 8 * 1024 * 1024;
    this.ttlMs = opts.ttlMs ?? 60_000;
  }

  /** The key of a request whose page may be kept (given its session, when it has one), or undefined. */
  keyOf(req: Request, session: SessionContent | undefined): string | undefined {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !this.opts.paths(req.path) || req.originalUrl.length > 512) return undefined;
    const vary = this.opts.vary ? this.opts.vary(req, session) : '';
    if (vary === undefined) return undefined;
    // The address too: in development a page opened at 127.0.0.1 names 127.0.0.1 in its links (one value in production).
    return `${req.locale}|${req.publicUrl}|${req.originalUrl}|${vary}`;
  }

  get(key: string): T | undefined {
    const hit = this.entries.get(key);
    if (!hit || hit.generation !== this.opts.generation() || Date.now() - hit.at >= this.ttlMs) return undefined;
    return !hit.stillRight || hit.stillRight() ? hit.value : undefined;
  }

  /** A setter bound to the generation current now, before the page is rendered from it. */
  setter(key: string): (value: T, stillRight?: () => boolean) => void {
    const generation = this.opts.generation();
    return (value, stillRight) => {
      const size = this.sizeOf(value);
      if (size > this.maxBytes) return;
      this.drop(key);
      while (this.entries.size && (this.entries.size >= this.max || this.bytes + size > this.maxBytes))
        this.drop(this.entries.keys().next().value!);
      this.entries.set(key, { generation, at: Date.now(), value, size, stillRight });
      this.bytes += size;
    };
  }

  private drop(key: string): void {
    const old = this.entries.get(key);
    if (!old) return;
    this.entries.delete(key);
    this.bytes -= old.size;
  }
}

/**
 * Keeps the storefront pages of guests: visitors who are not signed in,
 * with or without a session and a cart.
 *
 * What a guest's page depends on besides its URL and language is the cart
 * count in the header, the flash messages and the CSRF token of a form. So
 * the count and the token are slots each visitor's own fills (the token
 * is made then, and with it a session for a visitor who had none, as
 * before), and a visitor with a message to show is served fresh. A page whose
 * rendering changed the session in any other way is not kept, nor is any
 * answer but a 200 page.
 */
export function pageCache(opts: CacheOptions & { frontDoor?: FrontDoor }): RequestHandler {
  const pages = new Pages<KeptPage>(opts, (page) => page.size);
  // Guests whose session this process holds get these pages before the chain runs (see FrontDoor).
  opts.frontDoor?.add({
    paths: opts.paths,
    cacheControl: opts.cacheControl,
    answer: (req, { session, recipient }) => {
      const key = pages.keyOf(req, session ?? undefined);
      const hit = key === undefined ? undefined : pages.get(key);
      if (!hit || (hit.needsToken && !recipient.csrf)) return undefined;
      return hit.answerFor(recipient);
    },
  });
  return (req, res, next) => {
    const key = pages.keyOf(req, req.session);
    if (!key || req.user || (res.locals.flash as unknown[]).length > 0) return next();
    const hit = pages.get(key);
    if (hit) {
      sendKept(res, hit.answerFor(recipientOf(req, res)));
      return;
    }
    capturePage(req, res, pages.setter(key));
    next();
  };
}

/**
 * The same pages for signed-in visitors: their header differs, but a
 * storefront page's body is the same for everyone, so it is kept once and
 * put in the layout for each visitor (see `CachedBody`).
 */
export function bodyCache(opts: CacheOptions): RequestHandler {
  const pages = new Pages<CachedBody>(opts, (page) => page.body.length + page.head.length);
  return (req, res, next) => {
    const key = pages.keyOf(req, req.session);
    if (!key || !req.user) return next();
    const hit = pages.get(key);
    if (hit) return sendCachedBody(res, hit);
    const keep = pages.setter(key);
    const capture: Capture = { part: 'body', keep: (body) => keep(body, stillRightOf(res)) };
    res.locals.capture = capture;
    next();
  };
}
