import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import session from 'express-session';
import MongoStore from 'connect-mongo';
import helmet from 'helmet';
import mongoose from 'mongoose';
import { csrfSync } from 'csrf-sync';
import type { Config } from './config';
import { AppError } from './errors';
import { contentHash, SessionCache } from './session-cache';
import { GatheredReads } from './gathered-reads';
import { readCookie } from './cookies';
import { expiryJob } from './expiry';
import type { Job } from './jobs';

declare module 'express-session' {
  interface SessionData {
    /** When the session was first created; for the absolute timeout. */
    createdAt?: number;
    userId?: string;
    locale?: string;
    flash?: { type: 'success' | 'error' | 'info'; key: string; params?: Record<string, string | number> }[];
  }
}

/**
 * Helmet with a strict CSP: scripts and styles from our origin only (no
 * inline script anywhere). `form-action` also allows Stripe Checkout, because
 * browsers apply it to the redirect that follows a form POST to /checkout.
 * In development without PUBLIC_URL, return URLs follow the request's host
 * (web.ts `publicUrlOf`), so the demo payment stays on 'self'.
 */
export function securityHeaders(config: Config): RequestHandler {
  return fixedHeaders(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          formAction: ["'self'", 'https://checkout.stripe.com'],
          frameAncestors: ["'none'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          ...(config.isProduction ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      strictTransportSecurity: config.isProduction ? { maxAge: 63072000, includeSubDomains: true } : false,
      crossOriginEmbedderPolicy: false,
      referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    }),
  );
}

/**
 * A middleware whose headers depend on nothing in the request (helmet with
 * a CSP of fixed directives, as here), run once: the headers it sets are
 * kept and set on every response, and those it removes removed. Helmet
 * otherwise runs a dozen middlewares in turn on every request.
 */
export function fixedHeaders(middleware: RequestHandler): RequestHandler {
  const set: [string, string | string[] | number][] = [];
  const removed: string[] = [];
  const recorder = {
    setHeader: (name: string, value: string | string[] | number) => void set.push([name, value]),
    removeHeader: (name: string) => void removed.push(name),
    getHeader: () => undefined,
  };
  let done = false;
  middleware({ headers: {}, method: 'GET', url: '/' } as Request, recorder as unknown as Response, (err?: unknown) => {
    if (err) throw err instanceof Error ? err : new Error(String(err));
    done = true;
  });
  if (!done) throw new Error('The headers middleware did not finish at once: its headers are not fixed');
  return (_req, res, next) => {
    for (const name of removed) res.removeHeader(name);
    for (const [name, value] of set) res.setHeader(name, value);
    next();
  };
}

export const SESSION_COOKIE = 'filiera.sid';

/**
 * The session cookie's name. In production it carries the `__Host-` prefix:
 * browsers then accept it only with Secure, from HTTPS, for this host and
 * path `/` alone, so a sibling subdomain or a plain-HTTP page can never plant
 * or overwrite it (session fixation through a cookie set elsewhere).
 */
export const sessionCookieName = (secure: boolean): string => (secure ? `__Host-${SESSION_COOKIE}` : SESSION_COOKIE);

/**
 * `Cache-Control: private, no-store` on every response that depends on a
 * session: the request came with the session cookie, or the response sets
 * it (a page that embeds a CSRF token starts one). Whatever the route set
 * before, such a page must never be kept by a shared cache or the browser's
 * back-forward store, where the next user of the machine would find it.
 * Mounted before the session middleware, so its cookie is already set when
 * this runs as the headers go out.
 */
export const noStoreWithSession: RequestHandler = (req, res, next) => {
  const writeHead = res.writeHead;
  res.writeHead = function (this: typeof res, ...args: Parameters<typeof res.writeHead>) {
    if (sentSessionCookie(req) || setsCookie(res, SESSION_COOKIE, 'anywhere')) res.setHeader('Cache-Control', NO_STORE);
    return writeHead.apply(this, args);
  } as typeof res.writeHead;
  next();
};

/** Whether the request carries a session cookie (so its answers are private and never stored: see noStoreWithSession). */
export const sentSessionCookie = (req: Request): boolean => String(req.headers.cookie ?? '').includes(`${SESSION_COOKIE}=`);

/**
 * Whether the response is about to set the cookie `name`: its name starts a
 * Set-Cookie value, or (`anywhere`) appears in one, which also catches the
 * `__Host-` prefixed name of production.
 */
function setsCookie(res: Response, name: string, where: 'start' | 'anywhere' = 'start'): boolean {
  return ([] as unknown[])
    .concat(res.getHeader('set-cookie') ?? [])
    .some((v) => (where === 'start' ? String(v).startsWith(`${name}=`) : String(v).includes(`${name}=`)));
}

/** connect-mongo's `touchAfter`: a session unchanged by a request has its expiry pushed on at most this often. */
const TOUCH_AFTER_S = 60;

/**
 * Sessions live in MongoDB so any number of app processes can serve a user.
 * FerretDB rejects TTL indexes, so expired sessions are removed by a job
 * (`sessionsJob`), not by `expireAfterSeconds`. Not by connect-mongo's own
 * interval sweeper either: it deletes with `w: 0`, an unacknowledged write
 * whose failures nobody sees, run by every process at once, and a write
 * FerretDB 1.24 answered anyway, so that the reply crossed over to the next
 * command on the connection (see scripts/install-engines.mjs, patch 4).
 */
export const sessionsJob: Job = expiryJob({
  name: 'sessions',
  model: {
    find: (filter, projection) => mongoose.connection.db!.collection('sessions').find(filter, { projection }).toArray(),
    deleteMany: (filter) => mongoose.connection.db!.collection('sessions').deleteMany(filter),
  },
  field: 'expires',
  everyMs: 10 * 60_000,
});

/**
 * connect-mongo reads a session with `{ _id, $or: [expires…] }`. On
 * FerretDB's SQLite backend only a filter on `_id` alone uses the index, so
 * that read scanned every session on every request. This store reads by
 * `_id` alone and checks the expiry itself; writes were already by `_id`.
 */
/**
 * A session store call that has not answered within this long fails, so the
 * page that waits on it (express-session saves before it ends a response)
 * finishes instead of hanging while the database does not answer.
 */
const STORE_DEADLINE_MS = 1_200;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type StoreCallback = (err?: any, ...rest: any[]) => void;

/** The callback, called once: by the store, or with a timeout error after STORE_DEADLINE_MS. */
function withDeadline<C extends StoreCallback>(callback: C | undefined): C {
  let done = false;
  const timer = setTimeout(
    () => finish(Object.assign(new Error('The session store did not answer in time'), { name: 'MongoNetworkTimeoutError' })),
    STORE_DEADLINE_MS,
  );
  timer.unref();
  function finish(...args: Parameters<StoreCallback>) {
    if (done) return;
    done = true;
    clearTimeout(timer);
    callback?.(...args);
  }
  return finish as C;
}

/** What `sessions()` tells the store about the request whose session it reads, and what it learns back. */
interface ReadHint {
  method: string;
  hash: string | undefined;
  /** Set by `get` when the session came from memory: since when this process holds it (see SessionCache). */
  heldSince?: number;
}

class IdLookupMongoStore extends MongoStore {
  readonly held = new SessionCache();

  /** Sessions read by `_id`, the reads of one moment shared (each sent after its request asked: GatheredReads). */
  private readonly reads = new GatheredReads<string, StoredSession>(async (ids) => {
    const docs = (await (await this.collectionP).find({ _id: { $in: ids } }).toArray()) as unknown as StoredSession[];
    return new Map(docs.map((d) => [d._id, d]));
  });

  /**
   * What the request whose session is being read allows (see SessionCache):
   * set by `sessions()` just before express-session reads the session, which it
   * does at once, within the same call; taken (and cleared) by `get`.
   */
  hint: ReadHint | undefined;

  /**
   * connect-mongo deletes `lastModified` from the session object it is
   * given. Given express-session's own object, that changed the session
   * after a route's explicit save(), so express-session stored it a second
   * time at the end of the response (two writes per add-to-cart). It gets
   * a copy instead.
   */
  override set(sid: string, sess: session.SessionData, callback?: (err?: unknown) => void): void {
    const { lastModified: _, ...copy } = sess as session.SessionData & { lastModified?: Date };
    this.noteWrite(sid);
    // Held only once stored: a failed write must not leave this process showing what the store does not have.
    this.held.forget(sid);
    const held = this.held.copy(sid, copy);
    super.set(
      sid,
      copy as session.SessionData,
      withDeadline((err?: unknown) => {
        if (!err) held.keep();
        callback?.(err);
      }),
    );
  }

  /**
   * express-session touches a session after the route saved it (it is
   * unchanged since that save). connect-mongo skips a touch only when the
   * `lastModified` read at the start of the request is recent, so a
   * session last stored over TOUCH_AFTER_S ago was written twice: by the
   * save, then by the touch. Sessions this process stored within
   * TOUCH_AFTER_S are not touched.
   */
  private readonly written = new Map<string, number>();

  private noteWrite(sid: string): void {
    const now = Date.now();
    this.written.delete(sid);
    this.written.set(sid, now);
    // Oldest first (insertion order): drop what is too old to matter.
    for (const [old, at] of this.written) {
      if (now - at < TOUCH_AFTER_S * 1_000) break;
      this.written.delete(old);
    }
  }

  override touch(sid: string, sess: session.SessionData, callback?: (err?: unknown) => void): void {
    const at = this.written.get(sid);
    if (at !== undefined && Date.now() - at < TOUCH_AFTER_S * 1_000) {
      callback?.();
      return;
    }
    this.noteWrite(sid);
    this.held.touched(sid, sess.cookie?.expires ?? undefined);
    super.touch(sid, sess, withDeadline(callback));
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.held.forget(sid);
    super.destroy(sid, callback);
  }

  override get(sid: string, answer: (err: unknown, session?: session.SessionData | null) => void): void {
    const hint = this.hint;
    this.hint = undefined;
    if (hint && (hint.method === 'GET' || hint.method === 'HEAD')) {
      const held = this.held.get(sid, hint.hash);
      if (held) {
        hint.heldSince = held.since;
        return answer(null, held.session as unknown as session.SessionData);
      }
    }
    const callback = withDeadline(answer);
    this.reads
      .get(sid)
      .then((doc) => {
        const expired = doc?.expires && doc.expires.getTime() <= Date.now();
        if (!doc || expired) return callback(null, null);
        // A copy of its own for each request: two requests of one session may share the read, never its objects.
        const result = structuredClone(doc.session) as session.SessionData & { lastModified?: Date };
        this.held.put(sid, result as unknown as Record<string, unknown>);
        if (doc.lastModified) result.lastModified = doc.lastModified;
        callback(null, result);
      })
      .catch((err: unknown) => callback(err));
  }
}

/** A session as connect-mongo stores it. */
interface StoredSession {
  _id: string;
  session: unknown;
  expires?: Date;
  lastModified?: Date;
}

/** A session's content as the store has it (read-only: a held copy is never written back). */
export type SessionContent = Readonly<Partial<session.SessionData>>;

/**
 * A session as this process holds it, for an answer made without
 * express-session (the front door): the session's content, since when this
 * process holds that content (see SessionCache), and `roll`, which does what
 * express-session does to an unchanged session at the end of a response:
 * the cookie's expiry pushed on (`rolling`) and the store touched (at most
 * once a minute, see `touch`).
 */
export interface HeldSession {
  session: SessionContent;
  since: number;
  roll(res: Response, then: () => void): void;
}

/** The session middleware, and what a page kept in memory may ask of it before it runs (`heldGuest`, `heldMember`). */
export interface Sessions extends RequestHandler {
  /**
   * The request's session when it can be answered without the middleware:
   * `null` when the request carries no session cookie (nothing to read,
   * nothing to write); a `HeldSession` when its cookie is properly signed and
   * names a session this process holds with exactly the content the
   * visitor's version cookie names, not signed in and with no message
   * waiting; otherwise undefined (the middleware must run: it reads the store,
   * starts a session or rotates it).
   */
  heldGuest(req: Request): HeldSession | null | undefined;
  /**
   * The same for a signed-in session, within its absolute lifetime. Whoever
   * serves from it must still do what accounts' `loadUser` does with a held
   * copy (read the user, compare when their sessions were last ended and
   * their rights version): accounts' `userOfHeldSession`.
   */
  heldMember(req: Request): HeldSession | undefined;
}

export function sessions(config: Config): Sessions {
  const idleMs = config.session.idleMinutes * 60_000;
  const store = new IdLookupMongoStore({
    client: mongoose.connection.getClient(),
    collectionName: 'sessions',
    autoRemove: 'disabled', // sessionsJob
    touchAfter: TOUCH_AFTER_S,
    stringify: false,
  });
  const handler = session({
    name: sessionCookieName(config.isProduction),
    secret: config.session.secret,
    store,
    resave: false, // don't save a session that did not change
    saveUninitialized: false, // no session (and no cookie) until something is stored in it
    rolling: true, // each response pushes the idle expiry forward
    proxy: config.isProduction,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.isProduction,
      maxAge: idleMs,
    },
  });
  const absoluteMs = config.session.absoluteHours * 3_600_000;
  const versionCookie = sessionVersionCookieName(config.isProduction);
  const cookieName = sessionCookieName(config.isProduction);
  const middleware: RequestHandler = (req, res, next) => {
    const seen = readCookie(req, versionCookie);
    tellVersion(req, res, seen, { name: versionCookie, sessionCookie: cookieName, secure: config.isProduction, maxAgeMs: idleMs });
    const hint: ReadHint = { method: req.method, hash: seen };
    saveBeforeRedirect(req, res, seen, store.held, next);
    store.hint = hint;
    handler(req, res, (err?: unknown) => {
      if (err) return next(err);
      const s = req.session;
      if (s.userId) {
        if (!s.createdAt) s.createdAt = Date.now();
        // Absolute timeout: however active, a signed-in session ends after absoluteHours.
        if (Date.now() - s.createdAt > absoluteMs) {
          return s.regenerate((e) => next(e));
        }
        if (hint.heldSince !== undefined) (req as HeldRequest)[HELD_SINCE] = hint.heldSince;
      }
      next();
    });
    store.hint = undefined;
  };
  const signed = new SignedIds(config.session.secret);
  /** The session the request's cookies name, as held here and unchanged since the visitor last saw it; no message waiting. */
  const held = (req: Request): HeldSession | undefined => {
    const value = readCookie(req, cookieName);
    const sid = signed.idOf(value);
    // Only over HTTPS in production, as express-session sends a secure cookie.
    if (!sid || (config.isProduction && !isHttps(req))) return undefined;
    const found = store.held.peek(sid, readCookie(req, versionCookie));
    const s = found?.session as SessionContent | undefined;
    if (!found || !s || s.flash !== undefined) return undefined;
    const cookie = s.cookie as unknown as { originalMaxAge?: unknown; path?: unknown; sameSite?: unknown; httpOnly?: unknown } | undefined;
    if (typeof cookie?.originalMaxAge !== 'number' || cookie.path !== '/' || cookie.sameSite !== 'lax' || cookie.httpOnly !== true)
      return undefined;
    const maxAgeMs = cookie.originalMaxAge;
    return {
      session: s,
      since: found.since,
      roll(res, then) {
        // The value the visitor sent, encoded as express-session encodes it: the same id, signed with the same secret.
        const expires = new Date(Date.now() + maxAgeMs);
        res.append(
          'Set-Cookie',
          `${cookieName}=${encodeURIComponent(value!)}; Path=/; Expires=${expires.toUTCString()}; HttpOnly${config.isProduction ? '; Secure' : ''}; SameSite=Lax`,
        );
        const touched = { ...s, cookie: { ...cookie, expires } } as unknown as session.SessionData;
        store.touch(sid, touched, (err?: unknown) => {
          // As after express-session's own touch: the page goes out, the failure is logged (the expiry moves on the next one).
          if (err) req.log?.warn({ err }, 'session touch failed');
          then();
        });
      },
    };
  };
  const heldGuest = (req: Request): HeldSession | null | undefined => {
    if (!sentSessionCookie(req)) return null;
    const h = held(req);
    return h && h.session.userId === undefined ? h : undefined;
  };
  const heldMember = (req: Request): HeldSession | undefined => {
    const h = sentSessionCookie(req) ? held(req) : undefined;
    const s = h?.session;
    // What the middleware does first with a signed-in session: one without a start, or past its absolute lifetime, goes down the chain.
    return s && typeof s.userId === 'string' && typeof s.createdAt === 'number' && Date.now() - s.createdAt <= absoluteMs ? h : undefined;
  };
  return Object.assign(middleware, { heldGuest, heldMember });
}

/**
 * Whether the request came over HTTPS, as express-session judges it for a
 * secure cookie with `proxy` set (production): the socket, or the first
 * `X-Forwarded-Proto`.
 */
const isHttps = (req: Request): boolean =>
  (req.socket as { encrypted?: boolean }).encrypted === true ||
  String(req.headers['x-forwarded-proto'] ?? '')
    .split(',')[0]!
    .trim()
    .toLowerCase() === 'https';

/**
 * Session ids from signed cookie values, as express-session signs them
 * (`s:` + id + `.` + HMAC-SHA256 of the id in base64, unpadded). A value
 * whose signature checked out is remembered (a bounded number), so a
 * returning visitor costs a map lookup, not an HMAC; a forged value is
 * checked every time and never remembered.
 */
export class SignedIds {
  private readonly known = new Map<string, string>();

  constructor(
    private readonly secret: string,
    private readonly max = 20_000,
  ) {}

  /** The session id a decoded cookie value carries, when its signature is right. */
  idOf(value: string | undefined): string | undefined {
    if (!value?.startsWith('s:')) return undefined;
    const hit = this.known.get(value);
    if (hit !== undefined) return hit;
    const dot = value.lastIndexOf('.');
    if (dot < 3) return undefined;
    const sid = value.slice(2, dot);
    const given = Buffer.from(value.slice(dot + 1));
    const expected = Buffer.from(this.signatureOf(sid));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    if (this.known.size >= this.max) this.known.delete(this.known.keys().next().value!);
    this.known.set(value, sid);
    return sid;
  }

  private signatureOf(sid: string): string {
    return createHmac('sha256', this.secret).update(sid).digest('base64').replace(/=+$/, '');
  }
}

/**
 * A redirect goes out once a changed session is stored. express-session
 * sends a response's headers (the 303 and its Location) before its own save
 * at the end has finished, so a browser could follow the redirect and read
 * the session as it was: a form's "saved" message lost, or worse, the
 * previous state shown. The version cookie names the content the visitor
 * last received, so only a session whose content moved since (and that
 * holds anything: no session is started for a visitor who had none), and
 * that this process has not stored as it is now (a route's own
 * saveSession), is saved here; express-session then finds it saved and
 * does not write it again.
 */
function saveBeforeRedirect(
  req: Request,
  res: Response,
  seen: string | undefined,
  held: SessionCache,
  next: (err?: unknown) => void,
): void {
  const redirect = res.redirect;
  res.redirect = function (this: Response, ...args: unknown[]) {
    const s = req.session as (session.Session & Record<string, unknown>) | undefined;
    const holdsSomething = !!s && Object.keys(s).some((k) => k !== 'cookie');
    const hash = s && holdsSomething ? contentHash(s) : undefined;
    // Unchanged since the visitor's version, or stored already by the route (saveSession): nothing to wait for.
    if (!s || !hash || hash === seen || held.holds(req.sessionID, hash)) return (redirect as (...a: unknown[]) => void).apply(this, args);
    s.save((err?: unknown) => (err ? next(err) : (redirect as (...a: unknown[]) => void).apply(res, args)));
  } as Response['redirect'];
}

const HELD_SINCE = Symbol('sessionHeldSince');
type HeldRequest = Request & { [HELD_SINCE]?: number };

/**
 * For a signed-in session this process answered from memory: since when it
 * holds that copy (ms); undefined when it was read from the store. Whoever
 * reads the user compares it with when the user's sessions were last ended
 * and, when the copy may be older, calls `reloadSession` (see SessionCache).
 */
export const sessionHeldSince = (req: Request): number | undefined => (req as HeldRequest)[HELD_SINCE];

/** Reads the request's session from the store again; false when the store no longer has it (ended elsewhere). */
export function reloadSession(req: Request): Promise<boolean> {
  delete (req as HeldRequest)[HELD_SINCE];
  return new Promise((resolve, reject) =>
    req.session.reload((err?: Error) => {
      if (!err) return resolve(true);
      // express-session's answer when the store has no such session.
      if (/failed to load session/.test(err.message)) return resolve(false);
      reject(err);
    }),
  );
}

/** The cookie that tells which content of their session a visitor last received (see SessionCache). */
export const sessionVersionCookieName = (secure: boolean): string => (secure ? '__Host-filiera.sv' : 'filiera.sv');

/**
 * As the headers go out: when the response carries the session cookie (every
 * response of a visitor with a session: the sessions are rolling) and the
 * session's content is not what the visitor's version cookie names, the
 * cookie gets the new hash.
 */
function tellVersion(
  req: Request,
  res: Response,
  seen: string | undefined,
  c: { name: string; sessionCookie: string; secure: boolean; maxAgeMs: number },
): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: Response, ...args: Parameters<Response['writeHead']>) {
    const setting = setsCookie(res, c.sessionCookie);
    const s = req.session as (session.Session & Partial<session.SessionData>) | undefined;
    const now = setting && s ? contentHash(s) : undefined;
    if (now !== seen && (now || seen)) {
      const value = now ?? '';
      const attrs = [`Path=/`, 'HttpOnly', 'SameSite=Lax', now ? `Max-Age=${Math.floor(c.maxAgeMs / 1000)}` : 'Max-Age=0'];
      if (c.secure) attrs.push('Secure');
      res.append('Set-Cookie', `${c.name}=${value}; ${attrs.join('; ')}`);
    }
    return writeHead.apply(this, args);
  } as Response['writeHead'];
}

const csrf = csrfSync({
  getTokenFromRequest: (req: Request) => {
    const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
    if (typeof fromBody === 'string') return fromBody;
    const header = req.headers['x-csrf-token'];
    if (typeof header === 'string') return header;
    // Multipart forms (uploads) are parsed after this check, so they carry the token in the action URL.
    const fromQuery = req.query?._csrf;
    return req.is('multipart/form-data') && typeof fromQuery === 'string' ? fromQuery : undefined;
  },
  getTokenFromState: (req: Request) => req.session?.csrfToken,
  storeTokenInState: (req: Request, token) => {
    req.session.csrfToken = token;
  },
});

/** Returns the session's CSRF token, making one when needed (which starts a session). */
export const csrfToken = (req: Request): string => csrf.generateToken(req);

/**
 * Synchronizer-token CSRF check on every state-changing request. Mounted
 * after the body parsers. Routes that must skip it (Stripe webhooks) are
 * mounted before this middleware.
 */
export const csrfProtection: RequestHandler = (req, res, next) => {
  if (['GET', 'HEAD', 'OPTIONS'].includes(req.method)) return next();
  // A second layer: browsers say where a request comes from, and a state change never comes from another site.
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') {
    return next(new AppError('csrf_invalid', 'The form came from another site', 403));
  }
  const sent = csrf.getTokenFromRequest(req);
  const expected = req.session?.csrfToken;
  if (typeof sent !== 'string' || !expected || !csrf.isRequestValid(req)) {
    return next(new AppError('csrf_invalid', 'The form expired or came from another site', 403));
  }
  next();
};

/** What a page that depends on the session says to caches: keep nothing, anywhere. */
export const NO_STORE = 'private, no-store';

/** Pages that depend on the session must never be stored by a shared cache. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', NO_STORE);
  next();
};

/** A base that no real request comes from: whatever resolves away from it left our origin. */
const OWN_ORIGIN = 'http://filiera.invalid';

/**
 * The one judge of post-login and post-action destinations. It judges the
 * destination the browser will actually follow, not the string it was
 * given: `/./`, `/%2e/`, `/../`, backslashes, tabs and newlines are
 * normalised first, and the result must still be a path on our own origin
 * (never `//host`, which browsers read as another site).
 */
export function safeNext(next: unknown, fallback = '/'): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.length > 2_048) return fallback;
  let url: URL;
  try {
    url = new URL(next, OWN_ORIGIN);
  } catch {
    return fallback;
  }
  const target = url.pathname + url.search + url.hash;
  if (url.origin !== OWN_ORIGIN || !target.startsWith('/') || target.startsWith('//')) return fallback;
  return target;
}
