import type { Request, RequestHandler } from 'express';
import type { Config } from './config';
import type { DbHealth } from './db-health';
import { readCookie } from './cookies';
import { pickLocale, translator } from './i18n';
import { NO_STORE, type HeldSession, type SessionContent, type Sessions } from './security';
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
 * A cache of pages kept for one signed-in user each (a co-op's workspace),
 * that may answer at the front door once the user is loaded.
 */
export interface EarlyMemberPages<U> {
  paths(path: string): boolean;
  /**
   * This user's page when it is kept (for this same user, with the same
   * rights: the key says so) and still right; else undefined. It may read
   * what its key needs (a co-op's goods stamp).
   */
  answer(req: Request, member: { user: U; recipient: Recipient }): Promise<KeptAnswer | undefined>;
}

/** What the front door needs to serve a signed-in user. */
export interface MemberDeps<U> {
  /** Their user, when the held session may serve as it is (accounts' `userOfHeldSession`); else undefined. */
  userOf(session: SessionContent, since: number): Promise<U | undefined>;
  /** The units in their cart. */
  cartCount(user: U): Promise<number>;
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
 * chain unchanged: a signed-in user on any other page, a message to show, a session the
 * store must be read for or that must be started (a page with a form for a
 * visitor without a token), a browser that does not take gzip, a database
 * that does not answer (the chain gives its 503 page), a page not kept.
 *
 * A signed-in user's kept pages (a co-op's workspace: `EarlyMemberPages`)
 * go out here too, once the user is read and their held session may serve
 * as `loadUser` would judge it (`MemberDeps.userOf`); a page kept for them
 * is keyed by what they were loaded with, so it only goes back to the same
 * user with the same rights.
 *
 * It is mounted after the request log and the security headers, so the
 * answer carries both; what it sets besides is what the chain sets on the
 * same kept page (test/platform/front-door.test.ts compares them).
 */
export class FrontDoor<U = unknown> {
  private readonly caches: EarlyPages[] = [];
  private readonly memberCaches: EarlyMemberPages<U>[] = [];
  /** Pages answered here so far (tests tell the two paths apart by it). */
  answered = 0;

  /** A cache of pages joins: the routers that keep pages add theirs when they are built. */
  add(pages: EarlyPages): void {
    this.caches.push(pages);
  }

  /** A cache of signed-in users' pages joins (see `EarlyMemberPages`). */
  addForMembers(pages: EarlyMemberPages<U>): void {
    this.memberCaches.push(pages);
  }

  handler(deps: {
    config: Pick<Config, 'publicUrl' | 'publicUrlFromHost'>;
    sessions: Pick<Sessions, 'heldGuest' | 'heldMember'>;
    dbHealth?: DbHealth;
    /** The units in a guest's cart, from their session. */
    cartCount(session: SessionContent): number;
    /** Absent: signed-in users always go down the chain. */
    members?: MemberDeps<U>;
  }): RequestHandler {
    const speaks = (req: Request) => {
      const locale = pickLocale(readCookie(req, 'lang'), req.headers['accept-language']);
      req.locale = locale;
      req.t = translator(locale);
      req.publicUrl = publicUrlOf(req, deps.config);
    };
    const members = deps.members;
    return (req, res, next) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return next();
      if ((deps.dbHealth && !deps.dbHealth.up) || req.acceptsEncodings('gzip') !== 'gzip') return next();
      const pages = this.caches.find((c) => c.paths(req.path));
      const memberPages = !pages && members ? this.memberCaches.find((c) => c.paths(req.path)) : undefined;
      if (memberPages) {
        const held = deps.sessions.heldMember(req);
        if (!held) return next();
        speaks(req);
        this.answerMember(req, res, held, memberPages, members!).then(
          (answered) => answered || next(),
          // Whatever failed here (the database, most likely), the chain tries again and answers as it would.
          () => next(),
        );
        return;
      }
      const guest = pages && deps.sessions.heldGuest(req);
      if (!pages || guest === undefined) return next();
      speaks(req);
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

  /** A signed-in user's kept page, when their held session may serve (as the chain's `loadUser` would judge it) and the page is kept for them. */
  private async answerMember(
    req: Request,
    res: Parameters<RequestHandler>[1],
    held: HeldSession,
    pages: EarlyMemberPages<U>,
    members: MemberDeps<U>,
  ): Promise<boolean> {
    const user = await members.userOf(held.session, held.since);
    if (!user) return false;
    const token = held.session.csrfToken;
    const answer = await pages.answer(req, {
      user,
      recipient: {
        gzip: true,
        csrf: typeof token === 'string' ? () => token : undefined,
        cartCount: await members.cartCount(user),
        t: req.t,
      },
    });
    if (!answer) return false;
    this.answered++;
    res.set('Cache-Control', NO_STORE);
    held.roll(res, () => sendKept(res, answer));
    return true;
  }
}
