import type { Request } from 'autocannon';
import { registerScenario, type BenchContext } from './scenarios';

/**
 * Cart and checkout scenarios. Each autocannon connection is one guest
 * with a session of its own (made over HTTP before measuring: the product
 * page gives a cookie and a CSRF token), so requests do not fight over one
 * session document. Requests ask for JSON so success is a 2xx, not a 303.
 */
interface Guest {
  cookie: string;
  csrf: string;
  productId: string;
  sku: string;
}

/** The app runs in production mode: its session cookie is Secure, so requests say they came through an HTTPS proxy. */
const HTTPS = { 'x-forwarded-proto': 'https' };

const ADDRESS = 'name=Bench+Buyer&line1=Via+Roma+1&postalCode=53100&city=Siena&province=SI&country=IT';

async function newGuest(ctx: BenchContext, slug: string): Promise<Guest | null> {
  const res = await fetch(`${ctx.appUrl}/products/${slug}`, { headers: HTTPS });
  const html = await res.text();
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  const productId = /name="productId" value="([^"]+)"/.exec(html)?.[1];
  const sku = /name="sku" value="([^"]+)"(?![^>]*disabled)/.exec(html)?.[1] ?? 'default';
  if (!res.ok || !cookie || !csrf || !productId) return null;
  return { cookie, csrf, productId, sku };
}

/** `count` guests, each on a different product that is in stock, with one unit in the cart when `withCart`. */
async function guests(ctx: BenchContext, count: number, withCart: boolean): Promise<Guest[]> {
  const out: Guest[] = [];
  for (let i = 0; out.length < count && i < ctx.productSlugs.length; i++) {
    const g = await newGuest(ctx, ctx.productSlugs[i]!);
    if (!g) continue;
    if (withCart) {
      const r = await fetch(`${ctx.appUrl}/cart/items`, {
        method: 'POST',
        headers: { ...HTTPS, cookie: g.cookie, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: `_csrf=${encodeURIComponent(g.csrf)}&productId=${g.productId}&sku=${encodeURIComponent(g.sku)}&quantity=1`,
      });
      if (r.status !== 201) continue;
    }
    out.push(g);
  }
  if (!out.length) throw new Error('no guest session could be prepared');
  return out;
}

/** Gives each connection its own guest, on its first request. */
function perConnection(pool: Guest[]) {
  let next = 0;
  return (context: { guest?: Guest }): Guest => (context.guest ??= pool[next++ % pool.length]!);
}

const form = { ...HTTPS, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
const CONNECTIONS_GUESS = 50;

registerScenario({
  name: 'add-to-cart',
  description: 'POST /cart/items (a guest adds one unit; priced and stock-checked on the server)',
  async prepare(ctx) {
    const guestOf = perConnection(await guests(ctx, CONNECTIONS_GUESS, false));
    return {
      url: ctx.appUrl,
      requests: [
        {
          method: 'POST',
          path: '/cart/items',
          setupRequest: (req: Request, context: object) => {
            const g = guestOf(context as { guest?: Guest });
            return { ...req, headers: { ...form, cookie: g.cookie }, body: `_csrf=${encodeURIComponent(g.csrf)}&productId=${g.productId}&sku=${encodeURIComponent(g.sku)}&quantity=1` };
          },
        },
      ],
    };
  },
});

registerScenario({
  name: 'checkout-start',
  description: 'POST /checkout (address) + POST /checkout/place (order, stock hold, Checkout Session on stripe-mock): 2 requests per start',
  async prepare(ctx) {
    const guestOf = perConnection(await guests(ctx, CONNECTIONS_GUESS, true));
    return {
      url: ctx.appUrl,
      requests: [
        {
          method: 'POST',
          path: '/checkout',
          setupRequest: (req: Request, context: object) => {
            const g = guestOf(context as { guest?: Guest });
            return { ...req, headers: { ...form, cookie: g.cookie }, body: `_csrf=${encodeURIComponent(g.csrf)}&email=bench%40example.test&${ADDRESS}` };
          },
          onResponse: (status: number, body: string, context: object) => {
            (context as { attempt?: string }).attempt = status === 201 ? (JSON.parse(body) as { attempt: string }).attempt : undefined;
          },
        },
        {
          method: 'POST',
          path: '/checkout/place',
          setupRequest: (req: Request, context: object) => {
            const c = context as { guest?: Guest; attempt?: string };
            const g = guestOf(c);
            return { ...req, headers: { ...form, cookie: g.cookie }, body: `_csrf=${encodeURIComponent(g.csrf)}&attempt=${c.attempt ?? ''}` };
          },
        },
      ],
    };
  },
});
