import type { Request, RequestHandler, Response } from 'express';
import type { CurrentUser, UserCoop } from '../accounts';
import { Pages, capturePage } from '../catalog';
import type { FrontDoor } from '../platform/front-door';
import { recipientOf, sendKept, type KeptPage, type Recipient } from '../platform/web';

/** What a page's key holds beyond the member and the URL (the goods list: the co-op's goods stamp); read anew for every request. */
export type KeyPart = (coop: UserCoop) => Promise<string>;

/** The most bytes (gzipped) the workspace pages kept in one process may take. */
const MAX_BYTES = 4 * 1024 * 1024;

/**
 * A member's workspace pages, kept for each member as rendered for them,
 * for as long as what they show is kept (the co-op home's counters, the
 * goods list: GlanceCache), and sent again, from the front door when this
 * process holds their session as they last saw it.
 *
 * A page is kept under everything it was made from: the language, the
 * address, the member as loaded (their name, rights and every co-op with
 * their role in it) and its key part (the goods stamp). So a page is only
 * ever sent again to the same member with the same rights, already let
 * through the page's guard when it was rendered: a member removed or
 * demoted has other rights, whose key holds no page (and the front door
 * serves no one whose rights version moved: accounts' `userOfHeldSession`).
 * Their CSRF token and cart count fill the page's slots, as on the
 * storefront. The route says what else the page must still match
 * (`keepWhile`: its counters are the ones still kept); without that, it is
 * not kept. Only pages without a query string, and never with a message
 * to show.
 */
export class KeptWorkspacePages {
  private readonly pages: Pages<KeptPage>;
  private readonly routes: { pattern: RegExp; keyPart?: KeyPart }[] = [];

  constructor(
    private readonly ttlMs: number,
    frontDoor?: FrontDoor<CurrentUser>,
  ) {
    this.pages = new Pages<KeptPage>({ paths: () => true, generation: () => 0, ttlMs, maxBytes: MAX_BYTES, max: 1_000 }, (p) => p.size);
    if (ttlMs > 0) {
      frontDoor?.addForMembers({
        paths: (path) => this.routes.some((r) => r.pattern.test(path)),
        answer: (req, { user, recipient }) => this.answer(req, user, recipient),
      });
    }
  }

  /**
   * The pages at `pattern` (a full path whose first group is the co-op's
   * slug) are kept: the middleware goes after the route's guard, and
   * answers with the kept page or has the route's page kept.
   */
  keep(pattern: RegExp, keyPart?: KeyPart): RequestHandler {
    this.routes.push({ pattern, keyPart });
    return (req, res, next) => {
      if (this.ttlMs <= 0 || !req.user || (res.locals.flash as unknown[]).length > 0) return next();
      this.keyOf(req, req.user, pattern, keyPart).then((key) => {
        if (key === undefined) return next();
        res.locals.keptKeyPart = key.part;
        const hit = this.pages.get(key.key);
        if (hit) return sendKept(res, hit.answerFor(recipientOf(req, res)));
        capturePage(req, res, this.pages.setter(key.key), { needsStillRight: true });
        next();
      }, next);
    };
  }

  private async answer(req: Request, user: CurrentUser, recipient: Recipient) {
    const route = this.routes.find((r) => r.pattern.test(req.path));
    const key = route && (await this.keyOf(req, user, route.pattern, route.keyPart));
    const hit = key && this.pages.get(key.key);
    if (!hit || (hit.needsToken && !recipient.csrf)) return undefined;
    return hit.answerFor(recipient);
  }

  private async keyOf(req: Request, user: CurrentUser, pattern: RegExp, keyPart?: KeyPart) {
    // Only the page's own address: no query string to fill the cache with.
    if (req.originalUrl !== req.path) return undefined;
    const slug = pattern.exec(req.path)?.[1];
    const coop = user.coops.find((c) => c.slug === slug);
    if (!coop) return undefined;
    const part = keyPart ? await keyPart(coop) : '';
    const who = JSON.stringify([user.id, user.email, user.name, user.isAdmin, user.locale, user.emailVerified, user.coops]);
    return { key: `${req.locale}|${req.publicUrl}|${req.path}|${who}|${part}`, part };
  }
}

/** The key part the kept pages worked out for this request (the goods stamp), so the route need not read it again. */
export const keptKeyPart = (res: Response): string | undefined => res.locals.keptKeyPart as string | undefined;
