import type { Request } from 'autocannon';
import { AS_BROWSER, registerScenario, type BenchContext } from './scenarios';

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

const ADDRESS = 'name=Bench+Buyer&line1=Via+Roma+1&postalCode=53100&city=Siena&province=SI&country=IT';

/** Form posts that ask for JSON, so success is a 2xx rather than a 303. */
const form = { ...AS_BROWSER, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };

/** One unit of the guest's product. */
const addBody = (g: Guest) => `_csrf=${encodeURIComponent(g.csrf)}&productId=${g.productId}&sku=${encodeURIComponent(g.sku)}&quantity=1`;

/** The address form, as a guest fills it in. */
const addressBody = (g: Guest) => `_csrf=${encodeURIComponent(g.csrf)}&email=bench%40example.test&terms=yes&${ADDRESS}`;

async function newGuest(ctx: BenchContext, slug: string): Promise<Guest | null> {
  const res = await fetch(`${ctx.appUrl}/products/${slug}`, { headers: AS_BROWSER });
  const html = await res.text();
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  const productId = /name="productId" value="([^"]+)"/.exec(html)?.[1];
  const sku = /name="sku" value="([^"]+)"(?![^>]*disabled)/.exec(html)?.[1] ?? 'default';
  if (!res.ok || !cookie || !csrf || !productId) return null;
  return { cookie, csrf, productId, sku };
}

/** The guest puts one unit of its product in the cart; false when the shop refuses. */
async function addOne(ctx: BenchContext, g: Guest): Promise<boolean> {
  const res = await fetch(`${ctx.appUrl}/cart/items`, { method: 'POST', headers: { ...form, cookie: g.cookie }, body: addBody(g) });
  await res.arrayBuffer();
  return res.status === 201;
}

let nextProduct = 0;

/**
 * `count` guests, each on a product no earlier scenario used (the last
 * checkout of a scenario keeps its hold, so a product can run out for the
 * next one), with one unit in the cart when `withCart`.
 */
async function guests(ctx: BenchContext, count: number, withCart: boolean): Promise<Guest[]> {
  const out: Guest[] = [];
  while (out.length < count && nextProduct < ctx.stockedSlugs.length) {
    const g = await newGuest(ctx, ctx.stockedSlugs[nextProduct++]!);
    if (!g) continue;
    if (withCart && !(await addOne(ctx, g))) continue;
    out.push(g);
  }
  if (!out.length) throw new Error('no guest session could be prepared');
  return out;
}

/**
 * Lends guests to connections so that no two requests in flight share a
 * session (two would race on it, as two tabs would). autocannon clears a
 * connection's context each time it starts its list of requests again, so
 * a guest is taken when a round starts and given back when it ends; there
 * are more guests than connections.
 */
function guestLender(pool: Guest[]) {
  const free = [...pool];
  return {
    take: (context: object): Guest => {
      const c = context as { guest?: Guest };
      return (c.guest ??= free.shift() ?? pool[0]!);
    },
    giveBack: (context: object): void => {
      const c = context as { guest?: Guest };
      if (c.guest) free.push(c.guest);
      c.guest = undefined;
    },
  };
}

/** Spare guests beyond one per connection: a request that times out keeps its guest. */
const SPARE_GUESTS = 10;

registerScenario({
  name: 'add-to-cart',
  description: 'POST /cart/items (a guest adds one unit; priced and stock-checked on the server)',
  async prepare(ctx) {
    const lender = guestLender(await guests(ctx, ctx.connections + SPARE_GUESTS, false));
    return {
      url: ctx.appUrl,
      requests: [
        {
          method: 'POST',
          path: '/cart/items',
          setupRequest: (req: Request, context: object) => {
            const g = lender.take(context);
            return { ...req, headers: { ...form, cookie: g.cookie }, body: addBody(g) };
          },
          onResponse: (_status: number, _body: string, context: object) => lender.giveBack(context),
        },
      ],
    };
  },
});

/** One checkout start: the address form, then "pay" (order, stock hold, Checkout Session on stripe-mock). */
async function checkoutRequests(ctx: BenchContext): Promise<Request[]> {
  const lender = guestLender(await guests(ctx, ctx.connections + SPARE_GUESTS, true));
  return [
    {
      method: 'POST',
      path: '/checkout',
      setupRequest: (req: Request, context: object) => {
        const g = lender.take(context);
        return { ...req, headers: { ...form, cookie: g.cookie }, body: addressBody(g) };
      },
      onResponse: (status: number, body: string, context: object) => {
        (context as { attempt?: string }).attempt = status === 201 ? (JSON.parse(body) as { attempt: string }).attempt : undefined;
      },
    },
    {
      method: 'POST',
      path: '/checkout/place',
      setupRequest: (req: Request, context: object) => {
        const g = lender.take(context);
        const attempt = (context as { attempt?: string }).attempt ?? '';
        return { ...req, headers: { ...form, cookie: g.cookie }, body: `_csrf=${encodeURIComponent(g.csrf)}&attempt=${attempt}` };
      },
      onResponse: (_status: number, _body: string, context: object) => lender.giveBack(context),
    },
  ];
}

registerScenario({
  name: 'checkout-start',
  description:
    "as many checkout starts as the app takes: POST /checkout (address; gives back the previous attempt's hold) + POST /checkout/place (order, stock hold, Checkout Session on stripe-mock), 2 requests per start",
  async prepare(ctx) {
    return { url: ctx.appUrl, requests: await checkoutRequests(ctx) };
  },
});

/** The aim of issue #5: 100 checkout starts per second, offered at that rate, with p99 under 250 ms. */
export const CHECKOUT_AIM = { startsPerSec: 100, p99Ms: 250 };

/** A buyer who arrives once: a unit in the cart and, when ready to pay, the address given with the attempt the review page would carry. */
interface Buyer extends Guest {
  attempt?: string;
}

/** Up to this many buyers share a product (the large catalogue has 50 of each in stock); more would queue on its stock lock. */
const BUYERS_PER_PRODUCT = 4;

async function newBuyer(ctx: BenchContext, slug: string, readyToPay: boolean): Promise<Buyer | null> {
  const g = await newGuest(ctx, slug);
  if (!g || !(await addOne(ctx, g))) return null;
  if (!readyToPay) return g;
  const checkout = await fetch(`${ctx.appUrl}/checkout`, { method: 'POST', headers: { ...form, cookie: g.cookie }, body: addressBody(g) });
  if (checkout.status !== 201) return null;
  return { ...g, attempt: ((await checkout.json()) as { attempt: string }).attempt };
}

/** `count` buyers over products no earlier scenario used, made 8 at a time; `readyToPay`: with the address given. */
async function buyers(ctx: BenchContext, count: number, readyToPay: boolean): Promise<Buyer[]> {
  const out: Buyer[] = [];
  let slug: string | undefined;
  let onSlug = BUYERS_PER_PRODUCT;
  const nextSlug = () => {
    if (onSlug >= BUYERS_PER_PRODUCT) {
      slug = ctx.stockedSlugs[nextProduct++];
      onSlug = 0;
    }
    onSlug++;
    return slug;
  };
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let s = nextSlug(); s && out.length < count; s = nextSlug()) {
        const b = await newBuyer(ctx, s, readyToPay);
        if (b) out.push(b);
      }
    }),
  );
  if (out.length < count) throw new Error(`only ${out.length} of ${count} buyers could be prepared`);
  return out;
}

/** One buyer per round of an open-loop scenario, each used once (a used one would only find its own order again). */
function buyerPerRound(pool: Buyer[]) {
  let next = 0;
  return (context: object): Buyer => ((context as { buyer?: Buyer }).buyer ??= pool[next++ % pool.length]!);
}

/** "Pay" (POST /checkout/place) by the round's buyer, with the attempt the review page carries. */
function payRequest(buyer: (context: object) => Buyer): Request {
  return {
    method: 'POST',
    path: '/checkout/place',
    setupRequest: (req: Request, context: object) => {
      const b = buyer(context);
      return { ...req, headers: { ...form, cookie: b.cookie }, body: `_csrf=${encodeURIComponent(b.csrf)}&attempt=${b.attempt ?? ''}` };
    },
  };
}

/** Buyers for a run of `ctx.durationSec` at the aim's rate, and a few spare. */
const buyersForRun = (ctx: BenchContext, readyToPay: boolean) =>
  buyers(ctx, Math.ceil(CHECKOUT_AIM.startsPerSec * ctx.durationSec) + SPARE_GUESTS, readyToPay);

registerScenario({
  name: 'checkout-100/s',
  description: `new buyers arriving at a steady ${CHECKOUT_AIM.startsPerSec}/s (one every ${1000 / CHECKOUT_AIM.startsPerSec} ms), each with a unit in the cart: POST /checkout (address) then POST /checkout/place (order, stock hold, Checkout Session on stripe-mock). Does p99 stay under ${CHECKOUT_AIM.p99Ms} ms?`,
  perSec: CHECKOUT_AIM.startsPerSec,
  async prepare(ctx) {
    const buyer = buyerPerRound(await buyersForRun(ctx, false));
    return {
      url: ctx.appUrl,
      requests: [
        {
          method: 'POST',
          path: '/checkout',
          setupRequest: (req: Request, context: object) => {
            const b = buyer(context);
            return { ...req, headers: { ...form, cookie: b.cookie }, body: addressBody(b) };
          },
          onResponse: (status: number, body: string, context: object) => {
            buyer(context).attempt = status === 201 ? (JSON.parse(body) as { attempt: string }).attempt : undefined;
          },
        },
        payRequest(buyer),
      ],
    };
  },
});

registerScenario({
  name: 'place-100/s',
  description: `the checkout start alone: buyers who have given the address arrive at a steady ${CHECKOUT_AIM.startsPerSec}/s and press pay, POST /checkout/place (order, stock hold, Checkout Session on stripe-mock); no earlier hold is given back in the run`,
  perSec: CHECKOUT_AIM.startsPerSec,
  async prepare(ctx) {
    const buyer = buyerPerRound(await buyersForRun(ctx, true));
    return {
      url: ctx.appUrl,
      requests: [payRequest(buyer)],
    };
  },
});
