import type { Options } from 'autocannon';
import { AS_BROWSER, registerScenario, type BenchContext } from './scenarios';
import { DEMO_MEMBER } from '../src/demo/demo-data';

/**
 * The pages of people the whole-page cache does not serve: a shopper with a
 * session and a three-line cart, and a signed-in co-op member. Each
 * request carries the cookie of one of many shoppers (reads only, so two
 * requests may share one, as two tabs would).
 */

interface Shopper {
  cookie: string;
}

const SHOPPERS = 60;
const form = { ...AS_BROWSER, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
/**
 * The cookies a browser would send next: those it had, updated by what the
 * response set (a later value replaces an earlier one; `Max-Age=0` removes).
 * Keeping only the first response's cookies would send a stale session
 * version, which no browser does, and make every page read the session.
 */
function nextCookies(had: string, res: Response): string {
  const jar = new Map(had ? had.split('; ').map((c) => [c.slice(0, c.indexOf('=')), c] as const) : []);
  for (const set of res.headers.getSetCookie()) {
    const pair = set.split(';')[0]!;
    const name = pair.slice(0, pair.indexOf('='));
    if (/;\s*max-age=0/i.test(set)) jar.delete(name);
    else jar.set(name, pair);
  }
  return [...jar.values()].join('; ');
}

/** A shopper who has put one unit of three products (from different co-ops when the sample has them) in the cart. */
async function newShopper(ctx: BenchContext, slugs: string[]): Promise<Shopper | null> {
  let cookie = '';
  for (const slug of slugs) {
    const res = await fetch(`${ctx.appUrl}/products/${slug}`, { headers: { ...AS_BROWSER, ...(cookie ? { cookie } : {}) } });
    const html = await res.text();
    cookie = nextCookies(cookie, res);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    const productId = /name="productId" value="([^"]+)"/.exec(html)?.[1];
    const sku = /name="sku" value="([^"]+)"(?![^>]*disabled)/.exec(html)?.[1] ?? 'default';
    if (!res.ok || !cookie || !csrf || !productId) return null;
    const add = await fetch(`${ctx.appUrl}/cart/items`, {
      method: 'POST',
      headers: { ...form, cookie },
      body: `_csrf=${encodeURIComponent(csrf)}&productId=${productId}&sku=${encodeURIComponent(sku)}&quantity=1`,
    });
    await add.arrayBuffer();
    if (add.status !== 201) return null;
    cookie = nextCookies(cookie, add);
  }
  return { cookie };
}

let shoppersMade: Promise<Shopper[]> | undefined;

/** The shoppers, made once per run and shared by every shopper scenario (the warm-up included). */
function shoppers(ctx: BenchContext): Promise<Shopper[]> {
  shoppersMade ??= (async () => {
    const out: Shopper[] = [];
    // Products from the end of the stocked list: the checkout scenarios take theirs from the start.
    const pool = ctx.stockedSlugs.slice(-SHOPPERS * 3);
    for (let i = 0; out.length < SHOPPERS && i + 3 <= pool.length; i += 3) {
      const s = await newShopper(ctx, pool.slice(i, i + 3));
      if (s) out.push(s);
    }
    if (out.length < SHOPPERS / 2) throw new Error(`only ${out.length} shoppers with a cart could be prepared`);
    return out;
  })();
  return shoppersMade;
}

/** GETs of `paths()` by shoppers taken in turn. */
async function asShoppers(ctx: BenchContext, paths: () => string): Promise<Partial<Options>> {
  const list = await shoppers(ctx);
  let i = 0;
  return {
    url: ctx.appUrl,
    requests: [
      {
        method: 'GET',
        setupRequest: (req) => ({ ...req, path: paths(), headers: { ...AS_BROWSER, cookie: list[i++ % list.length]!.cookie } }),
      },
    ],
  };
}

const pick = <T>(list: T[]): T => list[Math.floor(Math.random() * list.length)]!;

const shopperPages: [string, string, (ctx: BenchContext) => () => string][] = [
  ['home', 'GET /', () => () => '/'],
  ['listing', 'GET /shop/produce?region=…&stock=1', (ctx) => () => `/shop/produce?region=${encodeURIComponent(ctx.regions[0]!)}&stock=1`],
  ['search', 'GET /search?q=prodotto rustico', () => () => '/search?q=prodotto%20rustico'],
  // Two pools of the same size, so the kept pages serve both alike: products without reviews, and with twelve each.
  ['product', 'GET /products/:slug (random, no reviews)', (ctx) => () => `/products/${pick(ctx.unreviewedSlugs)}`],
  ['product-reviewed', 'GET /products/:slug (random, 12 reviews each)', (ctx) => () => `/products/${pick(ctx.reviewedSlugs)}`],
  ['cart', 'GET /cart (three lines, priced live)', () => () => '/cart'],
];

for (const [page, what, paths] of shopperPages) {
  registerScenario({
    name: `shopper-${page}`,
    description: `${what}, as a shopper with a session and a three-line cart`,
    prepare: (ctx) => asShoppers(ctx, paths(ctx)),
  });
}

const memberCookies = new Map<string, Promise<string>>();

/** A co-op member signed in through the login form, once per run, with the cookies a browser holds after the page it lands on. */
export function signedIn(ctx: BenchContext, who: { email: string; password: string }): Promise<string> {
  let made = memberCookies.get(who.email);
  if (made) return made;
  made = (async () => {
    const page = await fetch(`${ctx.appUrl}/login`, { headers: AS_BROWSER });
    const html = await page.text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    if (!csrf) throw new Error('the login page has no CSRF token');
    const res = await fetch(`${ctx.appUrl}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { ...AS_BROWSER, 'content-type': 'application/x-www-form-urlencoded', cookie: nextCookies('', page) },
      body: `_csrf=${encodeURIComponent(csrf)}&email=${encodeURIComponent(who.email)}&password=${encodeURIComponent(who.password)}`,
    });
    await res.arrayBuffer();
    let cookie = nextCookies(nextCookies('', page), res);
    if (res.status !== 303 || !cookie) throw new Error(`${who.email} could not sign in (${res.status})`);
    // A browser follows the redirect and keeps what that page set (the session's new version once the
    // sign-in's message is shown and the co-ops are held), so the member's pages after it are read from memory.
    const landing = await fetch(new URL(res.headers.get('location') ?? '/', ctx.appUrl), { headers: { ...AS_BROWSER, cookie } });
    await landing.arrayBuffer();
    cookie = nextCookies(cookie, landing);
    return cookie;
  })();
  memberCookies.set(who.email, made);
  return made;
}

/** Without the session's version cookie: the session is read from the store and every page goes down the whole chain. */
const withoutVersion = (cookie: string) =>
  cookie
    .split('; ')
    .filter((c) => !/^(__Host-)?filiera\.sv=/.test(c))
    .join('; ');

const memberPages = [
  ['home', (coop: string) => `/workspace/${coop}`],
  ['goods', (coop: string) => `/workspace/${coop}/goods`],
] as const;

for (const [page, path] of memberPages) {
  registerScenario({
    name: `member-${page}`,
    description: `GET ${path(DEMO_MEMBER.coop)}, as the signed-in demo co-op member`,
    async prepare(ctx) {
      const cookie = await signedIn(ctx, DEMO_MEMBER);
      return { url: `${ctx.appUrl}${path(DEMO_MEMBER.coop)}`, headers: { ...AS_BROWSER, cookie } };
    },
  });
  registerScenario({
    name: `members-${page}`,
    description: `GET ${path(':coop')}, as 20 signed-in managers of 20 co-ops (about fifty goods each), taken in turn`,
    async prepare(ctx) {
      const members = await Promise.all(ctx.members.map(async (m) => ({ path: path(m.coop), cookie: await signedIn(ctx, m) })));
      let i = 0;
      return {
        url: ctx.appUrl,
        requests: [
          {
            method: 'GET',
            setupRequest: (req) => {
              const m = members[i++ % members.length]!;
              return { ...req, path: m.path, headers: { ...AS_BROWSER, cookie: m.cookie } };
            },
          },
        ],
      };
    },
  });
  registerScenario({
    name: `member-${page}-chain`,
    description: `the same as member-${page}, without the session's version cookie: the session read from the store, the whole chain run`,
    async prepare(ctx) {
      const cookie = withoutVersion(await signedIn(ctx, DEMO_MEMBER));
      return { url: `${ctx.appUrl}${path(DEMO_MEMBER.coop)}`, headers: { ...AS_BROWSER, cookie } };
    },
  });
}
