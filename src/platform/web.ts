import { createHash, randomBytes } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { brotliCompressSync, constants as zlibConstants, gunzipSync, gzipSync } from 'node:zlib';
import ejs from 'ejs';
import type { ErrorRequestHandler, Express, Request, RequestHandler, Response } from 'express';
import { VIEWS_DIR, type Config } from './config';
import { AppError, isAppError } from './errors';
import { isDbUnavailable } from './db';
import type { DbHealth } from './db-health';
import { labeller, LOCALES, pickLocale, translator, localized, type Locale, type Translate } from './i18n';
import { formatMoney } from './money';
import { csrfToken, sentSessionCookie } from './security';
import { readCookie } from './cookies';
import { GzipPieces } from './gzip-pieces';
import { Views } from './views';
import type { Logger } from './logger';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      locale: Locale;
      t: Translate;
      /** The shop's address as this request reached it (see publicUrlOf). */
      publicUrl: string;
    }
  }
}

/**
 * EJS has no layouts of its own: every `res.render(view, locals)` renders the
 * view, then `layouts/main` (or `locals.layout`) with the page as `body`.
 * `layout: false` sends the view alone (packing slips, partial responses).
 */
export function useViews(app: Express, config: Config): void {
  app.set('view engine', 'ejs');
  app.set('views', VIEWS_DIR);
  if (config.isProduction) app.enable('view cache');
  // Includes name their file from views/ (`include('/reviews/_stars')`); see Views for how they share their page's locals.
  const views = new Views(VIEWS_DIR, config.isProduction);
  app.engine('ejs', (file: string, data: object, done: (err: unknown, html?: string) => void) => {
    let html: string;
    try {
      html = views.render(file, data);
    } catch (err) {
      return done(err);
    }
    done(null, html);
  });
  // Express would hash every answer for an ETag; only pages a browser may store get one (`send` below, and kept pages).
  app.set('etag', false);
  app.use((req, res, next) => {
    const render = res.render.bind(res);
    const inLayout = (opts: Record<string, unknown>, html: string, then: (page: string) => void) => {
      if (opts.layout === false) return then(html);
      const layout = typeof opts.layout === 'string' ? opts.layout : 'layouts/main';
      render(layout, { ...opts, body: html }, (err: Error | null, page: string) => (err ? next(err) : then(page)));
    };
    // Every page goes out with this visitor's own in any slot: a kept page's, or a kept fragment's CSRF slot (renderForAnyone).
    const send = (html: string) => {
      // The database gate answered 503 while the page waited for its data: the page is not this request's answer any more.
      // (A throw here would be uncaught: render callbacks run on their own tick.)
      if (res.headersSent) return;
      const page = fillSlots(html, req, res);
      // A page for a visitor with a session is private and never stored (noStoreWithSession): nobody would revalidate it.
      if (!sentSessionCookie(req) && !res.get('ETag')) res.set('ETag', etagOf(page));
      sendCompressed(req, res, page);
    };
    res.render = ((
      view: string,
      locals?: Record<string, unknown> | ((err: Error, html: string) => void),
      cb?: (err: Error, html: string) => void,
    ) => {
      if (typeof locals === 'function' || cb) return render(view, locals as object, cb);
      const opts = locals ?? {};
      const capture = res.locals.capture as Capture | undefined;
      if (!capture || opts.layout === false || res.statusCode !== 200) {
        render(view, opts, (err: Error | null, html: string) => (err ? next(err) : inLayout(opts, html, send)));
        return;
      }
      // Rendered for everyone who asks for this URL: the visitor's own CSRF token and cart count go in after.
      const anyone = { ...opts, csrf: () => CSRF_SLOT, cartBadge: () => CART_SLOT };
      render(view, anyone, (err: Error | null, html: string) => {
        if (err) return next(err);
        if (capture.part === 'page') {
          inLayout(anyone, html, (page) => {
            capture.keep(page);
            send(page);
          });
          return;
        }
        capture.keep({
          body: html,
          title: (opts.title ?? res.locals.title) as string | undefined,
          description: (opts.description ?? res.locals.description) as string | undefined,
          head: (opts.head ?? res.locals.head ?? '') as string,
        });
        inLayout(opts, html, send);
      });
    }) as Response['render'];
    next();
  });
}

/** Pages up to this size are compressed at once (a fraction of a millisecond); larger ones stream through the compression middleware. */
const COMPRESS_AT_ONCE_MAX = 256 * 1024;

/**
 * Sends a rendered page compressed in one call, as brotli or gzip, whichever
 * the browser takes. The middleware's stream did the same work in chunks on
 * the thread pool, at two to three times the CPU for a page of a few dozen
 * kilobytes.
 *
 * Brotli at quality 2, not the middleware's 4: on the shop's own pages
 * (home 25 KB, product 13 KB, listing 32 KB) its output is 4–5% larger and
 * it takes about half the time (0.09–0.14 ms against 0.19–0.31 ms), still
 * smaller than gzip's default level, which is slower still.
 */
const BROTLI_QUALITY = 2;
function sendCompressed(req: Request, res: Response, page: string): void {
  const bytes = Buffer.from(page);
  if (!res.get('Content-Type')) res.type('html');
  if (req.method === 'HEAD' || bytes.length < 1024 || bytes.length > COMPRESS_AT_ONCE_MAX || res.get('Content-Encoding')) {
    res.send(bytes);
    return;
  }
  res.vary('Accept-Encoding');
  if (req.acceptsEncodings('br') === 'br') {
    res.set('Content-Encoding', 'br');
    res.send(
      brotliCompressSync(bytes, {
        params: { [zlibConstants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
      }),
    );
  } else if (req.acceptsEncodings('gzip') === 'gzip') {
    res.set('Content-Encoding', 'gzip');
    res.send(gzipSync(bytes));
  } else {
    res.send(bytes);
  }
}

// A host name, an IPv4 address or a bracketed IPv6 address, with an optional port: nothing else becomes a URL.
const HOST_HEADER =
  /^(?:([a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)*)|\[([0-9a-f:.]+)\])(?::\d{1,5})?$/i;

let machine: { at: number; addresses: Set<string> } | undefined;
/** This machine's own addresses (every interface), read again at most every 10 s when one is not found (DHCP moves). */
function isThisMachine(address: string): boolean {
  const fresh = () => ({
    at: Date.now(),
    addresses: new Set(Object.values(networkInterfaces()).flatMap((l) => (l ?? []).map((i) => i.address.toLowerCase()))),
  });
  machine ??= fresh();
  if (machine.addresses.has(address)) return true;
  if (Date.now() - machine.at > 10_000) machine = fresh();
  return machine.addresses.has(address);
}

/**
 * The shop's public base URL for links and payment return URLs made while
 * answering this request. Fixed (`PUBLIC_URL`, or its default) unless
 * `config.publicUrlFromHost`: then, in development only, it is the origin the
 * page was opened on, so a shop opened at 127.0.0.1 or a LAN address pays and
 * returns there instead of at localhost (which the CSP's form-action would
 * block, and which is another machine for a phone on the LAN).
 */
export function publicUrlOf(req: Request, config: Pick<Config, 'publicUrl' | 'publicUrlFromHost'>): string {
  if (!config.publicUrlFromHost) return config.publicUrl;
  const host = req.headers.host?.toLowerCase();
  const m = host ? HOST_HEADER.exec(host) : null;
  if (!host || !m) return config.publicUrl;
  // Only a name of this machine: a shop listening on the LAN (HOST=0.0.0.0) must not mail a
  // reset link to whatever address a visitor's Host header names.
  const name = m[1] ?? m[2]!;
  if (name !== 'localhost' && !isThisMachine(name)) return config.publicUrl;
  return `${req.protocol === 'https' ? 'https' : 'http'}://${host}`;
}

/**
 * The body of a page (everything the layout wraps) as rendered for any
 * visitor, with what the layout takes from the page; `sendCachedBody` puts it
 * in the layout for the visitor at hand (their header, cart count, flash
 * messages and CSRF token).
 */
export interface CachedBody {
  body: string;
  title?: string;
  description?: string;
  head: string;
}

/**
 * A middleware opts a request in to keeping what it renders by setting
 * `res.locals.capture`: the whole page (`page`: for a visitor whose page
 * depends on nothing but the URL, the language and what the cache keys it
 * by) or the body alone (`body`: the view must then show nothing that
 * depends on who asks). Either way `csrf()` leaves a slot that each
 * visitor's own token fills (`withCsrf`).
 */
export type Capture = { part: 'page'; keep(html: string): void } | { part: 'body'; keep(page: CachedBody): void };

/** Where `csrf()` was called in a page rendered for anyone; unguessable, and plain letters so escaping leaves it alone. */
const CSRF_SLOT = `csrfslot${randomBytes(12).toString('hex')}`;
/** Where the header's cart badge goes in a page rendered for anyone (`cartBadge()`), filled with each visitor's count. */
const CART_SLOT = `cartslot${randomBytes(12).toString('hex')}`;
const SLOTS = new RegExp(`(${CSRF_SLOT}|${CART_SLOT})`);

/** A weak ETag for a page: its length and a hash of its bytes. */
const etagOf = (page: string | Buffer): string => {
  const bytes = typeof page === 'string' ? Buffer.from(page) : page;
  return `W/"${bytes.length.toString(16)}-${createHash('sha1').update(bytes).digest('base64url').slice(0, 27)}"`;
};

/** The header's cart badge: the count, and what a screen reader says of it. */
function cartBadgeHtml(t: Translate, count: number): string {
  let made = BADGES.get(t);
  if (!made) BADGES.set(t, (made = new Map()));
  let html = made.get(count);
  if (html === undefined) {
    html = `<span class="badge" aria-label="${ejs.escapeXML(t('common.nav.cartCount', { count }))}">${count}</span>`;
    // Made once per language and count (a cart holds at most a few hundred units).
    if (count < 1_000) made.set(count, html);
  }
  return html;
}
const BADGES = new WeakMap<Translate, Map<number, string>>();

const cartCountOf = (res: Response): number => Number(res.locals.cartCount) || 0;

/** A page rendered for anyone (or a fragment of one), with this visitor's own CSRF token and cart badge in its slots. */
const fillSlots = (html: string, req: Request, res: Response): string =>
  html.includes(CSRF_SLOT) || html.includes(CART_SLOT)
    ? html
        .replaceAll(CSRF_SLOT, () => csrfToken(req))
        .replaceAll(CART_SLOT, () => cartBadgeHtml(res.locals.t as Translate, cartCountOf(res)))
    : html;

/** Who a kept page goes to: what fills its slots, and whether their browser takes gzip. */
export interface Recipient {
  gzip: boolean;
  /** Their CSRF token (made on demand by the chain); absent for a visitor who has none, who gets only pages without forms. */
  csrf?: () => string;
  cartCount: number;
  /** Their language, for the badge's words. */
  t: Translate;
}

/** The recipient of a request that went through the chain: its token made on demand (starting a session), its cart counted. */
export const recipientOf = (req: Request, res: Response): Recipient => ({
  gzip: req.acceptsEncodings('gzip') === 'gzip',
  csrf: () => csrfToken(req),
  cartCount: cartCountOf(res),
  t: res.locals.t as Translate,
});

/** A kept page as it goes to one visitor: its bytes, gzipped or not, and its ETag when it has one. */
export interface KeptAnswer {
  bytes: Buffer;
  etag?: string;
  gzip: boolean;
}

/** Sends a kept page's answer (from the cache in the chain, or at the front door). */
export function sendKept(res: Response, { bytes, etag, gzip }: KeptAnswer): void {
  if (etag) res.set('ETag', etag);
  // Already gzipped: the compression middleware sees the header and leaves it alone.
  if (gzip) res.set('Content-Encoding', 'gzip');
  res.vary('Accept-Encoding');
  res.type('html').send(bytes);
}

/**
 * A whole page kept for every visitor, gzipped once in pieces cut at its
 * slots (`GzipPieces`): sending it to a visitor is one copy with their
 * CSRF token and cart badge put in, no compression and no search through
 * the page. One page serves every cart count. A page without a form is the
 * same for every visitor with an empty cart (a browser without a session
 * may store it): that one is made once, with its ETag.
 *
 * Only compressed bytes are held, about a fifth of the text: the product
 * pages with a dozen reviews (30–40 KB of HTML) of a busy catalogue fit
 * the cache's budget by the hundreds. A client that takes no gzip (no
 * browser) gets the text inflated again.
 */
export class KeptPage {
  private readonly gzipped: GzipPieces;
  /** Which slot each gap between the pieces is. */
  private readonly slots: string[] = [];
  private readonly emptyCart: { gzipped: Buffer; etag: string } | undefined;

  /** `t`: the language the page was rendered in (its badge's words). */
  constructor(html: string, t: Translate) {
    const pieces = html.split(SLOTS);
    // The constants, not the pieces split returned: those are slices of the page's text and would keep all of it.
    for (let i = 1; i < pieces.length; i += 2) this.slots.push(pieces[i] === CSRF_SLOT ? CSRF_SLOT : CART_SLOT);
    this.gzipped = new GzipPieces(pieces.filter((_, i) => i % 2 === 0).map((piece) => Buffer.from(piece)));
    if (!this.needsToken) {
      const empty = Buffer.from(cartBadgeHtml(t, 0));
      const bytes = Buffer.from(html.replaceAll(CART_SLOT, () => cartBadgeHtml(t, 0)));
      this.emptyCart = { gzipped: this.gzipped.with(this.slots.map(() => empty)), etag: etagOf(bytes) };
    }
  }

  /** Whether the page has a form, and so needs its visitor's CSRF token (a page without one may go to a visitor with no session). */
  get needsToken(): boolean {
    return this.slots.includes(CSRF_SLOT);
  }

  /** The bytes it holds. */
  get size(): number {
    return this.gzipped.size + (this.emptyCart?.gzipped.length ?? 0);
  }

  /**
   * The page for this visitor (making their CSRF token, and so a session,
   * only when it has a form), gzipped when their browser takes it, and its
   * ETag when it has one. Compressing it again for every visitor cost more
   * than everything else a kept page costs; this costs a CRC-32 of what
   * goes in the slots.
   */
  answerFor(to: Recipient): KeptAnswer {
    const { gzip } = to;
    if (this.emptyCart && to.cartCount === 0) {
      // The same weak ETag for both codings (as the compression middleware leaves it on a rendered page).
      return { bytes: gzip ? this.emptyCart.gzipped : gunzipSync(this.emptyCart.gzipped), etag: this.emptyCart.etag, gzip };
    }
    let token: Buffer | undefined;
    let badge: Buffer | undefined;
    const csrf = () => {
      if (!to.csrf) throw new Error('This page has a form: its visitor needs a CSRF token (see needsToken)');
      return (token ??= Buffer.from(to.csrf()));
    };
    const cart = () => (badge ??= Buffer.from(cartBadgeHtml(to.t, to.cartCount)));
    const values = this.slots.map((slot) => (slot === CSRF_SLOT ? csrf() : cart()));
    if (gzip) return { bytes: this.gzipped.with(values), gzip };
    const pieces = this.gzipped.pieces();
    return { bytes: Buffer.concat(pieces.flatMap((piece, i) => (i < values.length ? [piece, values[i]!] : [piece]))), gzip };
  }
}

/** Answers with a cached body inside the layout, rendered for this visitor (whose token `res.render` puts in its slots). */
export function sendCachedBody(res: Response, page: CachedBody): void {
  res.render('layouts/main', {
    title: page.title,
    description: page.description,
    head: page.head,
    body: page.body,
    layout: false,
  });
}

/**
 * Renders a fragment of a page the same for every visitor, so a feature may
 * keep it (a product's reviews): `csrf()` leaves the slot that `res.render`
 * fills with each visitor's own token when the page goes out. Only the
 * locals given are seen, not a request's.
 */
export function renderForAnyone(app: Express, view: string, locals: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) =>
    app.render(view, { ...locals, csrf: () => CSRF_SLOT }, (err: Error | null, html: string) => (err ? reject(err) : resolve(html))),
  );
}

/** What a view uses to speak one language: `t`, `label`, money, dates, and a localized field's text. */
function languageHelpers(locale: Locale) {
  const t = translator(locale);
  const dateFormats = new Map<string, Intl.DateTimeFormat>();
  return {
    locale,
    t,
    label: labeller(t),
    money: (cents: number) => formatMoney(cents, locale),
    date: (d: Date | string | number, style: 'short' | 'medium' | 'long' = 'medium') => {
      let f = dateFormats.get(style);
      if (!f) dateFormats.set(style, (f = new Intl.DateTimeFormat(locale === 'it' ? 'it-IT' : 'en-GB', { dateStyle: style })));
      return f.format(new Date(d));
    },
    loc: (field: Partial<Record<Locale, string>> | undefined) => localized(field, locale),
  };
}

/**
 * What every view can use: the locale and `t`, money and date formatting,
 * the current path, flash messages, and `csrf()` which makes a token only
 * when a page actually has a form (so pages without forms start no session).
 */
export function viewLocals(config: Config): RequestHandler {
  // The helpers of each language, made once rather than for every request.
  const helpers = new Map(LOCALES.map((locale) => [locale, languageHelpers(locale)]));
  return (req, res, next) => {
    const locale = pickLocale(readCookie(req, 'lang'), req.headers['accept-language']);
    const l = Object.assign(res.locals, helpers.get(locale));
    req.locale = locale;
    req.t = l.t as Translate;
    l.csrf = () => csrfToken(req);
    l.path = req.path;
    l.originalUrl = req.originalUrl;
    l.query = req.query;
    req.publicUrl = publicUrlOf(req, config);
    l.publicUrl = req.publicUrl;
    l.demoPayments = !config.stripe.secretKey;
    l.user ??= null;
    l.cartCount ??= 0;
    // Read when the header is rendered: the cart's count is loaded after this.
    l.cartBadge = () => cartBadgeHtml(l.t as Translate, cartCountOf(res));
    l.title = undefined;
    l.description = undefined;
    l.head = '';
    l.flash = [];
    next();
  };
}

/** Flash messages live in the session until shown once. Mounted after the session. */
export const flashLocals: RequestHandler = (req, res, next) => {
  if (req.session?.flash) {
    res.locals.flash = req.session.flash;
    delete req.session.flash;
  }
  next();
};

/** Queues a message for the next page the user sees. */
export function flash(req: Request, type: 'success' | 'error' | 'info', key: string, params?: Record<string, string | number>): void {
  (req.session.flash ??= []).push({ type, key, params });
}

/**
 * Saves the session now. Call it before answering when the client's next
 * request must find what this request stored (a JSON answer, a page):
 * express-session sends a response's headers before its own save finishes.
 * A redirect also waits for a changed session by itself (security.ts,
 * `saveBeforeRedirect`), which sees a session already saved here and does
 * not write it again: the routes that save before redirecting say so
 * where a reader looks for it.
 */
export const saveSession = (req: Request): Promise<void> =>
  new Promise((resolve, reject) => (req.session ? req.session.save((err) => (err ? reject(err) : resolve())) : resolve()));

export const wantsJson = (req: Request): boolean => req.path.startsWith('/api/') || req.accepts(['html', 'json']) === 'json';

/**
 * While the database does not answer, pages answer 503 at once instead of
 * waiting on it; a request that was already waiting when it stopped
 * answering gets its 503 by `deadlineMs` (the work it started finishes or
 * fails later, and writes nothing to the response). With no monitor (tests
 * that do not need one) it does nothing.
 */
export function databaseGate(health: DbHealth | undefined, onError: ErrorRequestHandler, deadlineMs = 1_500): RequestHandler {
  const unavailable = () => new AppError('service_unavailable', 'Database unavailable', 503);
  return (req, res, next) => {
    if (!health) return next();
    if (!health.up) return next(unavailable());
    let timer: NodeJS.Timeout;
    const watch = (ms: number) => {
      timer = setTimeout(() => {
        if (res.headersSent) return;
        if (health.up) return watch(250);
        res.locals.answeredByGate = true;
        onError(unavailable(), req, res, () => undefined);
      }, ms);
      timer.unref();
    };
    watch(deadlineMs);
    res.once('close', () => clearTimeout(timer));
    next();
  };
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new AppError('page_not_found', `No page at ${req.path}`, 404));
};

/**
 * The last middleware. Known errors keep their status and code; an unknown
 * error is logged and shown as a plain 500 page, never with its message or
 * stack. A database that cannot be reached is a 503 page with Retry-After.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let e: AppError;
    if (isAppError(err)) e = err;
    else if (isDbUnavailable(err)) e = new AppError('service_unavailable', 'Database unavailable', 503, { cause: err });
    else if ((err as { type?: string }).type === 'entity.too.large') e = new AppError('payload_too_large', 'Request too large', 413);
    else if ((err as { type?: string }).type === 'entity.parse.failed') e = new AppError('bad_request', 'Malformed request body', 400);
    else if (typeof (err as { status?: number }).status === 'number' && (err as { status: number }).status < 500) {
      e = new AppError('bad_request', 'Bad request', (err as { status: number }).status);
    } else e = new AppError('internal_error', 'Something went wrong', 500, { cause: err });

    const log = (req as { log?: Logger }).log ?? logger;
    // The gate already answered 503; what the request's own work ran into afterwards concerns no one.
    if (res.headersSent && res.locals.answeredByGate) return;
    if (e.status >= 500) log.error({ err: e.cause ?? err, code: e.code }, e.message);
    else log.debug({ code: e.code }, e.message);

    if (res.headersSent) return;
    if (e.status === 503) res.set('Retry-After', '5');
    res.status(e.status);
    res.set('Cache-Control', 'no-store');
    if (wantsJson(req)) {
      res.json({
        error: {
          code: e.code,
          message: e.status >= 500 ? 'Something went wrong' : e.message,
          ...(e.details ? { details: e.details } : {}),
        },
      });
      return;
    }
    const view = e.status === 404 ? 'errors/404' : e.status === 503 ? 'errors/503' : e.status >= 500 ? 'errors/500' : 'errors/4xx';
    // The error page must render even when the failure was in the locals or the layout.
    res.render(
      view,
      { title: res.locals.t(`errors.${e.status === 404 ? 'notFound' : 'generic'}.title`), code: e.code, status: e.status },
      (renderErr: Error | null, html: string) => {
        if (!renderErr) {
          res.render('layouts/main', { ...res.locals, body: html, title: res.locals.title }, (layoutErr: Error | null, page: string) => {
            res.send(layoutErr ? html : page);
          });
          return;
        }
        log.error({ err: renderErr }, 'error page failed to render');
        res.type('text/plain').send(e.status === 404 ? 'Not found' : 'Something went wrong');
      },
    );
  };
}
