import assert from 'node:assert/strict';
import type { Express } from 'express';
import request, { type Response } from 'supertest';
import { buildApp, csrfFrom } from '../support/app';
import { Jar, comparable } from '../support/jar';
import { makeCoop, makeListedProduct, makeUser, type TestProduct } from '../support/factories';
import type { FrontDoor } from '../../src/platform/front-door';
import type { DbHealth } from '../../src/platform/db-health';

/** Adds `quantity` of a product to the cart of the jar's visitor, with the token of a page they were shown. */
async function addToCart(app: Express, jar: Jar, csrf: string, product: { _id: unknown }, quantity = 1, https = false): Promise<void> {
  const req = request(app).post('/cart/items').set('Cookie', jar.header());
  if (https) req.set('X-Forwarded-Proto', 'https');
  const res = await req
    .type('form')
    .send({ _csrf: csrf, productId: String(product._id), sku: 'default', quantity: String(quantity) })
    .expect(303);
  jar.take(res);
}

/** The session cookie a response sets. */
const sessionSetCookie = (res: Response): string | undefined =>
  ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('filiera.sid='));

/** The same without its expiry (a second apart between two responses). */
const sessionCookieOf = (res: Response): string | undefined => sessionSetCookie(res)?.replace(/; Expires=[^;]+/, '');

const expiresOf = (res: Response): number => Date.parse(/Expires=([^;]+)/.exec(sessionSetCookie(res) ?? '')?.[1] ?? '');

describe('the front door: kept pages answered before the chain', () => {
  let app: Express;
  let door: FrontDoor;
  let products: TestProduct[];

  before(async () => {
    app = buildApp().app;
    door = app.get('front door') as FrontDoor;
    const coop = await makeCoop();
    products = [];
    for (let i = 0; i < 3; i++) products.push(await makeListedProduct(coop, { stock: 30 }));
  });

  /** GET with the jar's cookies (less those named), taking what the response sets; and whether the front door answered. */
  async function get(jar: Jar, path: string, opts: { without?: string[]; headers?: Record<string, string> } = {}) {
    const before = door.answered;
    const req = request(app).get(path).set('Accept-Encoding', 'gzip');
    const cookie = jar.header(opts.without);
    if (cookie) req.set('Cookie', cookie);
    for (const [k, v] of Object.entries(opts.headers ?? {})) req.set(k, v);
    const res = await req;
    jar.take(res);
    return { res, early: door.answered > before };
  }

  /** A guest with one unit of each product in the cart, who has seen the message of the last add. */
  async function guestWithCart(): Promise<Jar> {
    const jar = new Jar();
    const first = await get(jar, `/products/${products[0]!.slug}`);
    const csrf = csrfFrom(first.res.text);
    for (const p of products) await addToCart(app, jar, csrf, p);
    await get(jar, '/cart'); // shows the flash once
    return jar;
  }

  it('answers a held guest exactly as the chain does: same headers, same page, same token and count', async () => {
    const jar = await guestWithCart();
    for (const path of ['/', '/shop', `/products/${products[1]!.slug}`, '/cart']) {
      await get(jar, path); // kept by now, whichever path served it
      // Without the version cookie the session is read from the store: the chain answers, from the same kept page.
      const chain = await get(jar, path, { without: ['filiera.sv'] });
      const early = await get(jar, path);
      assert.equal(chain.early, false, `${path}: the chain answered`);
      assert.equal(early.early, true, `${path}: the front door answered`);
      assert.equal(early.res.status, 200);
      assert.deepEqual(comparable(early.res), comparable(chain.res), path);
      assert.equal(early.res.text, chain.res.text, path);
      assert.equal(sessionCookieOf(early.res), sessionCookieOf(chain.res), `${path}: the same rolling session cookie`);
      assert.equal(early.res.headers['cache-control'], 'private, no-store');
      assert.match(early.res.text, /class="badge"[^>]*>3</, `${path}: the cart's count`);
    }
    await get(jar, `/products/${products[2]!.slug}`);
    const product = await get(jar, `/products/${products[2]!.slug}`);
    assert.equal(product.early, true);
    // The token in the page is the session's: a form sent with it is accepted.
    await addToCart(app, jar, csrfFrom(product.res.text), products[2]!, 2);
    const cart = await get(jar, '/cart');
    assert.match(cart.res.text, /class="badge"[^>]*>5</, 'the change shows on the next page');
    const home = await get(jar, '/');
    assert.equal(home.early, true);
    assert.match(home.res.text, /class="badge"[^>]*>5</);
  });

  it('shows a cart change made through another app process on the next page', async () => {
    const other = buildApp().app;
    const jar = await guestWithCart();
    await get(jar, '/shop');
    assert.equal((await get(jar, '/shop')).early, true);
    // The visitor's next request lands on the other process, which reads the store and changes the session.
    const elsewhere = await request(other).get(`/products/${products[0]!.slug}`).set('Cookie', jar.header()).expect(200);
    jar.take(elsewhere);
    await addToCart(other, jar, csrfFrom(elsewhere.text), products[0]!, 4);
    const back = await get(jar, '/shop');
    assert.equal(back.early, false, 'this process holds the old content: the version cookie says it is not current');
    assert.match(back.res.text, /class="badge"[^>]*>7</);
    const again = await get(jar, '/shop');
    assert.equal(again.early, true, 'read from the store once, then held again');
    assert.match(again.res.text, /class="badge"[^>]*>7</);
  });

  it('pushes the session cookie’s expiry on, as the rolling session does', async () => {
    const jar = await guestWithCart();
    await get(jar, '/shop');
    const a = await get(jar, '/shop');
    await new Promise((r) => setTimeout(r, 1_100));
    const b = await get(jar, '/shop');
    assert.ok(a.early && b.early);
    assert.ok(expiresOf(b.res) > expiresOf(a.res), 'a later expiry');
  });

  it('answers a visitor without a session the page without forms, and leaves a page with a form to the chain, which starts one', async () => {
    const jar = new Jar();
    await get(jar, '/shop?sort=new');
    const again = await get(jar, '/shop?sort=new');
    assert.equal(again.early, true);
    assert.equal(again.res.headers['set-cookie'], undefined, 'no session for a page without a form');
    assert.ok(again.res.headers.etag);
    const etag = again.res.headers.etag as string;
    const notModified = await get(jar, '/shop?sort=new', { headers: { 'If-None-Match': etag } });
    assert.equal(notModified.res.status, 304);
    const product = `/products/${products[0]!.slug}`;
    await get(new Jar(), product);
    const fresh = new Jar();
    const page = await get(fresh, product);
    assert.equal(page.early, false, 'a product page has the cart form: the chain makes the token and the session');
    assert.ok(fresh.cookies.has('filiera.sid'));
    assert.ok(csrfFrom(page.res.text));
  });

  it('leaves to the chain: a signed-in user, a message to show, a forged cookie, a browser without gzip', async () => {
    const user = await makeUser();
    const jar = new Jar();
    const login = await get(jar, '/login');
    const signIn = await request(app)
      .post('/login')
      .set('Cookie', jar.header())
      .type('form')
      .send({ _csrf: csrfFrom(login.res.text), email: user.email, password: user.password })
      .expect(303);
    jar.take(signIn);
    await get(jar, '/shop');
    assert.equal((await get(jar, '/shop')).early, false, 'signed in');

    const guest = await guestWithCart();
    const page = await get(guest, `/products/${products[0]!.slug}`);
    await addToCart(app, guest, csrfFrom(page.res.text), products[0]!);
    const withMessage = await get(guest, '/shop');
    assert.equal(withMessage.early, false, 'a message waits');
    assert.match(withMessage.res.text, /role="status"|class="flash/);
    assert.equal((await get(guest, '/shop')).early, true, 'once shown, the next page is answered early again');

    const forged = new Jar();
    const sid = guest.cookies.get('filiera.sid')!;
    forged.cookies.set(
      'filiera.sid',
      sid.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
    );
    forged.cookies.set('filiera.sv', guest.cookies.get('filiera.sv')!);
    const res = await get(forged, '/shop');
    assert.equal(res.early, false, 'a cookie whose signature is wrong');
    assert.doesNotMatch(res.res.text, /class="badge"[^>]*>[1-9]/, 'and the cart is not theirs');

    assert.equal((await get(guest, '/shop', { headers: { 'Accept-Encoding': 'identity' } })).early, false, 'no gzip');
  });

  it('answers nothing while the database is down: the chain gives its 503', async () => {
    const health = { up: true } as unknown as DbHealth;
    const down = buildApp({ dbHealth: health }).app;
    const downDoor = down.get('front door') as FrontDoor;
    await request(down).get('/shop?sort=price').set('Accept-Encoding', 'gzip').expect(200);
    await request(down).get('/shop?sort=price').set('Accept-Encoding', 'gzip').expect(200);
    const before = downDoor.answered;
    (health as unknown as { up: boolean }).up = false;
    await request(down).get('/shop?sort=price').set('Accept-Encoding', 'gzip').expect(503);
    assert.equal(downDoor.answered, before);
  });

  it('in production: the __Host- cookie, Secure, over HTTPS only', async () => {
    const prod = buildApp({ env: { NODE_ENV: 'production', SESSION_SECRET: 'z'.repeat(40), PUBLIC_URL: 'https://filiera.example' } }).app;
    const prodDoor = prod.get('front door') as FrontDoor;
    const jar = new Jar();
    const send = async (path: string, opts: { without?: string[]; https?: boolean } = {}) => {
      const before = prodDoor.answered;
      const req = request(prod).get(path).set('Accept-Encoding', 'gzip');
      if (opts.https !== false) req.set('X-Forwarded-Proto', 'https');
      const cookie = jar.header(opts.without);
      if (cookie) req.set('Cookie', cookie);
      const res = await req;
      jar.take(res);
      return { res, early: prodDoor.answered > before };
    };
    const page = await send(`/products/${products[0]!.slug}`);
    await addToCart(prod, jar, csrfFrom(page.res.text), products[0]!, 1, true);
    await send('/cart');
    await send('/shop');
    const chain = await send('/shop', { without: ['__Host-filiera.sv'] });
    const early = await send('/shop');
    assert.equal(chain.early, false);
    assert.equal(early.early, true);
    const cookieOf = (res: Response) =>
      ([] as string[])
        .concat(res.headers['set-cookie'] ?? [])
        .find((c) => c.startsWith('__Host-filiera.sid='))
        ?.replace(/; Expires=[^;]+/, '');
    assert.match(cookieOf(early.res) ?? '', /; Secure/);
    assert.equal(cookieOf(early.res), cookieOf(chain.res));
    assert.deepEqual(comparable(early.res), comparable(chain.res));
    assert.equal((await send('/shop', { https: false })).early, false, 'not over HTTPS: the chain, which sends no secure cookie');
  });
});
