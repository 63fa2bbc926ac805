import type { Options } from 'autocannon';
import type { BenchMember } from './members.seed';

/** What a scenario may know about the running benchmark. */
export interface BenchContext {
  /** The Filiera app, e.g. http://127.0.0.1:41234 */
  appUrl: string;
  /** The bare Express hello-world. */
  helloUrl: string;
  /** Slugs of some seeded products and co-ops, for pages that need one. */
  productSlugs: string[];
  /** 500 of productSlugs, each with reviews (bench/reviews.seed.ts), and 500 others without. */
  reviewedSlugs: string[];
  unreviewedSlugs: string[];
  /** Slugs of products with at least 50 units in stock, for buyers (each checkout scenario takes products no other used). */
  stockedSlugs: string[];
  coopSlugs: string[];
  /** Managers of as many co-ops of the synthetic catalogue, one each (bench/members.seed.ts). */
  members: BenchMember[];
  regions: string[];
  /** How many connections each scenario runs with (unless it sets its own). */
  connections: number;
  /** How long the run being prepared lasts (the warm-up's or the measurement's). */
  durationSec: number;
}

/**
 * One thing to measure. `prepare` returns the autocannon options for it
 * (url, method, headers, body, `requests` with `setupRequest` for varying
 * paths or a cookie and CSRF token fetched first…); connections and
 * duration are filled in by the runner.
 */
export interface Scenario {
  name: string;
  description: string;
  /** The baseline the others are compared with. Exactly one scenario has it. */
  baseline?: boolean;
  /**
   * Open loop: this many rounds of `requests` start per second, evenly
   * spaced, however long earlier ones take (bench/paced.ts). Without it
   * autocannon keeps `connections` busy, as fast as the app answers.
   */
  perSec?: number;
  prepare(ctx: BenchContext): Promise<Partial<Options>> | Partial<Options>;
}

/**
 * What every request of the bench carries: what a TLS-terminating proxy in
 * front of the app adds (the app trusts loopback proxies), and the codings
 * a browser takes. Without the second, pages went out uncompressed, a cost
 * the bench did not see and every real shopper's page paid.
 */
export const AS_BROWSER = { 'x-forwarded-proto': 'https', 'accept-encoding': 'gzip, deflate, br, zstd' };

const pick = <T>(list: T[]): T => list[Math.floor(Math.random() * list.length)]!;

export const scenarios: Scenario[] = [
  {
    name: 'hello-world',
    description: 'bare Express, same run (baseline)',
    baseline: true,
    prepare: (ctx) => ({ url: `${ctx.helloUrl}/`, headers: AS_BROWSER }),
  },
  {
    name: 'home',
    description: 'GET / (in season, new from the workshops, the spotlight co-op)',
    prepare: (ctx) => ({ url: `${ctx.appUrl}/`, headers: AS_BROWSER }),
  },
  {
    name: 'listing',
    description: 'GET /shop/produce?region=…&stock=1 (department + two filters)',
    prepare: (ctx) => ({ url: `${ctx.appUrl}/shop/produce?region=${encodeURIComponent(ctx.regions[0]!)}&stock=1`, headers: AS_BROWSER }),
  },
  {
    name: 'search',
    description: 'GET /search?q=… (accent-insensitive prefix search)',
    prepare: (ctx) => ({ url: `${ctx.appUrl}/search?q=prodotto%20rustico`, headers: AS_BROWSER }),
  },
  {
    name: 'product',
    description: 'GET /products/:slug, a random product, as a shopper with a session',
    async prepare(ctx) {
      // A first page gives the session cookie (the add-to-cart form's CSRF token lives in the session).
      // The app runs in production mode, whose cookies are Secure: we speak as the TLS proxy would.
      const first = await fetch(`${ctx.appUrl}/products/${ctx.productSlugs[0]}`, { headers: AS_BROWSER });
      const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0]!;
      if (!cookie) throw new Error('the product page set no session cookie');
      return {
        url: ctx.appUrl,
        headers: { ...AS_BROWSER, cookie },
        requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/products/${pick(ctx.productSlugs)}` }) }],
      };
    },
  },
  {
    name: 'product-new-visitor',
    description: 'GET /products/:slug without a cookie (each request starts a session)',
    prepare: (ctx) => ({
      url: ctx.appUrl,
      headers: AS_BROWSER,
      requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/products/${pick(ctx.productSlugs)}` }) }],
    }),
  },
];

/** Adds a scenario (checkout, soak…); names are unique. */
export function registerScenario(s: Scenario): void {
  if (scenarios.some((x) => x.name === s.name)) throw new Error(`scenario ${s.name} exists already`);
  scenarios.push(s);
}
