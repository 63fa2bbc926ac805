import type { Request, RequestHandler } from 'express';
import type { Config } from './config';
import type { DbHealth } from './db-health';
import { readCookie } from './cookies';
import { pickLocale, translator } from './i18n';
import { NO_STORE, type SessionContent, type Sessions } from './security';
import { publicUrlOf, sendKept, type KeptAnswer, type Recipient } from './web';

/** Who asks, as the front door knows them without the chain. */
export interface Visitor {
  /** Their session as this process holds it (a guest's, unchanged since their last page); null: they have none. */
  session: SessionContent | null;
  recipient: Recipient;
}

/** A cache of whole pages that may answer at the front door (see `FrontDoor`). */
export interface EarlyPages {
  paths(path: string): boolean;
  /** What the route's own middleware sets as Cache-Control (the cart's `noStore`), for visitors without a session too. */
  cacheControl?: string;
  /** This visitor's page when it is kept and needs nothing the visitor lacks (a token); else undefined. */
  answer(req: Request, visitor: Visitor): KeptAnswer | undefined;
}

/**
 * Kept pages answered before the rest of the chain runs.
 *
 * A kept storefront page needs, of the whole chain, only the visitor's
 * language, their CSRF token and their cart's count. For a visitor with no
 * session, or a guest whose session this process holds as they last saw it
 * (`Sessions.heldGuest`), those come from the cookies and the held copy, so
 * the page goes out at once: no body parsers, session middleware, locals,
 * compression or routers, which together cost more than the page. Whatever
 * the front door cannot answer exactly as the chain would goes down the
 * chain unchanged: a signed-in user, a message to show, a session the
 * store must be read for or that must be started (a page with a form for a
 * visitor without a token), a browser that does not take gzip, a database
 * that does not answer (the chain gives its 503 page), a page not kept.
 *
 * It is mounted after the request log and the security headers, so the
 * answer carries both; what it sets besides is what the chain sets on the
 * same kept page (test/platform/front-door.test.ts compares them).
 */
export class FrontDoor {
  private readonly caches: EarlyPages[] = [];
  /** Pages answered here so far (tests tell the two paths apart by it). */
  answered = 0;

  /** A cache of pages joins: the routers that keep pages add theirs when they are built. */
  add(pages: EarlyPages): void {
    this.caches.push(pages);
  }

  handler(deps: {
    config: Pick<Config, 'publicUrl' | 'publicUrlFromHost'>;
    sessions: Pick<Sessions, 'heldGuest'>;
    dbHealth?: DbHealth;
    /** The units in a guest's cart, from their session. */
    cartCount(session: SessionContent): number;
  }): RequestHandler {
    return (req, res, next) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return next();
      const pages = this.caches.find((c) => c.paths(req.path));
      if (!pages || (deps.dbHealth && !deps.dbHealth.up) || req.acceptsEncodings('gzip') !== 'gzip') return next();
      const guest = deps.sessions.heldGuest(req);
      if (guest === undefined) return next();
      const locale = pickLocale(readCookie(req, 'lang'), req.headers['accept-language']);
      req.locale = locale;
      req.t = translator(locale);
      req.publicUrl = publicUrlOf(req, deps.config);
      const session = guest?.session ?? null;
      const token = session?.csrfToken;
      const answer = pages.answer(req, {
        session,
        recipient: {
          gzip: true,
          csrf: typeof token === 'string' ? () => token : undefined,
          cartCount: session ? deps.cartCount(session) : 0,
          t: req.t,
        },
      });
      if (!answer) return next();
      this.answered++;
      if (!guest) {
        if (pages.cacheControl) res.set('Cache-Control', pages.cacheControl);
        sendKept(res, answer);
        return;
      }
      // As noStoreWithSession sets on every answer to a visitor with a session.
      res.set('Cache-Control', NO_STORE);
      guest.roll(res, () => sendKept(res, answer));
    };
  }
}
