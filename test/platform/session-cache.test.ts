import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Collection } from 'mongodb';
import { buildApp, csrfFrom } from '../support/app';
import { makeCoop, makeListedProduct, makeProduct, makeUser, PASSWORD } from '../support/factories';
import { ProductModel } from '../../src/catalog/product.model';
import { contentHash, SessionCache } from '../../src/platform/session-cache';
import { MembershipModel } from '../../src/coops/membership.model';
import { changeCoopStatus, membershipsOf } from '../../src/coops';
import express from 'express';
import mongoose from 'mongoose';
import request from 'supertest';
import { testConfig } from '../support/app';
import { sessions } from '../../src/platform/security';
import { loadUser, rightsChanged } from '../../src/accounts';
import { endAllSessionsOf } from '../../src/accounts/session';

/** Two app processes on one database: each has its own session store and so its own memory of guest sessions. */
async function twoProcesses(): Promise<{ urls: [string, string]; close(): void }> {
  const servers: Server[] = [];
  for (let i = 0; i < 2; i++) {
    const s = buildApp().app.listen(0, '127.0.0.1');
    await once(s, 'listening');
    servers.push(s);
  }
  const url = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  return { urls: [url(servers[0]!), url(servers[1]!)], close: () => servers.forEach((s) => s.close()) };
}

/** A browser's cookie jar over fetch, so one visitor can talk to both processes. */
class Browser {
  readonly jar = new Map<string, string>();
  async go(url: string, init: RequestInit = {}): Promise<{ status: number; text: string; headers: Headers }> {
    const cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, { redirect: 'manual', ...init, headers: { ...(init.headers as object), ...(cookie ? { cookie } : {}) } });
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const [k, ...v] = pair!.split('=');
      if (attrs.some((a) => /max-age=0/i.test(a.trim()))) this.jar.delete(k!.trim());
      else this.jar.set(k!.trim(), v.join('='));
    }
    return { status: res.status, text: await res.text(), headers: res.headers };
  }
  post(url: string, form: Record<string, string>) {
    return this.go(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }
}

/**
 * How many reads (`find`, `findOne`) and writes (`updateOne`) of collection
 * `name` reach the database while `fn` runs.
 */
async function trafficOf(name: string, fn: () => Promise<unknown>): Promise<{ reads: number; writes: number }> {
  const proto = Collection.prototype as unknown as Record<'find' | 'findOne' | 'updateOne', (...a: unknown[]) => unknown>;
  const counts = { reads: 0, writes: 0 };
  const originals = { find: proto.find, findOne: proto.findOne, updateOne: proto.updateOne };
  for (const [method, kind] of [
    ['find', 'reads'],
    ['findOne', 'reads'],
    ['updateOne', 'writes'],
  ] as const) {
    proto[method] = function (this: Collection, ...args: unknown[]) {
      if (this.collectionName === name) counts[kind]++;
      return originals[method].apply(this, args);
    };
  }
  try {
    await fn();
  } finally {
    Object.assign(proto, originals);
  }
  return counts;
}

/** How many reads and writes of the sessions collection reach the database while `fn` runs. */
const sessionTraffic = (fn: () => Promise<unknown>) => trafficOf('sessions', fn);

/** How many reads of collection `name` reach the database while `fn` runs. */
const readsOf = async (name: string, fn: () => Promise<unknown>) => (await trafficOf(name, fn)).reads;

describe('sessions kept in memory', () => {
  describe('SessionCache', () => {
    const session = (extra: object = {}) => ({ cookie: { expires: new Date(Date.now() + 60_000).toISOString() }, cart: [], ...extra });

    it('answers only to the hash of the content it holds', () => {
      const cache = new SessionCache();
      const s = session({ cart: [{ productId: 'p', sku: 'default', quantity: 2 }] });
      cache.put('sid', s);
      assert.equal(cache.get('sid', 'another-hash'), undefined);
      assert.equal(cache.get('sid', undefined), undefined);
      assert.deepEqual(cache.get('sid', contentHash(s))?.session, JSON.parse(JSON.stringify(s)));
    });

    it('gives a copy: a request changing its session does not change what is held', () => {
      const cache = new SessionCache();
      const s = session({ cart: [{ productId: 'p', sku: 'default', quantity: 1 }] });
      cache.put('sid', s);
      const first = cache.get('sid', contentHash(s))?.session as { cart: { quantity: number }[] };
      first.cart[0]!.quantity = 99;
      assert.equal((cache.get('sid', contentHash(s))?.session as { cart: { quantity: number }[] }).cart[0]!.quantity, 1);
    });

    it('ignores the cookie settings in the hash, and tells content apart', () => {
      assert.equal(contentHash({ cookie: { expires: 1 }, cart: [] }), contentHash({ cookie: { expires: 2 }, cart: [] }));
      assert.notEqual(contentHash({ cart: [] }), contentHash({ cart: [{ productId: 'p' }] }));
    });

    it('holds a signed-in session with the time its copy was taken, which the user loading checks', () => {
      const cache = new SessionCache();
      const s = session({ userId: 'u1' });
      const before = Date.now();
      const copy = cache.copy('sid', s);
      copy.keep();
      const held = cache.get('sid', contentHash(s));
      assert.equal(held?.session.userId, 'u1');
      assert.ok(held!.since >= before && held!.since <= Date.now());
    });

    it('lets an expired session go, and holds at most `max`', () => {
      const cache = new SessionCache(2);
      const gone = { cookie: { expires: new Date(Date.now() - 1).toISOString() } };
      cache.put('old', gone);
      assert.equal(cache.get('old', contentHash(gone)), undefined);
      for (const sid of ['a', 'b', 'c']) cache.put(sid, session());
      assert.equal(cache.size, 2);
      assert.equal(cache.get('a', contentHash(session())), undefined, 'the least recently used went first');
    });
  });

  describe('a shopper with a cart, served by two app processes', () => {
    let p: Awaited<ReturnType<typeof twoProcesses>>;
    before(async () => {
      p = await twoProcesses();
    });
    after(() => p.close());

    async function shopperWithCart(b: Browser, at: string) {
      const coop = await makeCoop();
      const products = [await makeListedProduct(coop, { stock: 9 }), await makeListedProduct(coop, { stock: 9 })];
      const page = await b.go(`${at}/products/${products[0]!.slug}`);
      const csrf = csrfFrom(page.text);
      const add = await b.post(`${at}/cart/items`, { _csrf: csrf, productId: String(products[0]!._id), sku: 'default', quantity: '1' });
      assert.equal(add.status, 303);
      return { csrf, products };
    }

    it('reads the session store for none of its page views', async () => {
      const [a] = p.urls;
      const b = new Browser();
      const { products } = await shopperWithCart(b, a);
      await b.go(`${a}/cart`); // the flash of the add is shown and leaves the session once
      const traffic = await sessionTraffic(async () => {
        for (const path of ['/', '/shop/produce', '/search?q=prodotto', `/products/${products[1]!.slug}`, '/cart']) {
          assert.equal((await b.go(`${a}${path}`)).status, 200, path);
        }
      });
      assert.deepEqual(traffic, { reads: 0, writes: 0 });
    });

    it('shows a cart change made in the other process on the next page', async () => {
      const [a, other] = p.urls;
      const b = new Browser();
      const { csrf, products } = await shopperWithCart(b, a);
      const lines = async () => {
        const json = await b.go(`${a}/cart`, { headers: { accept: 'application/json' } });
        return (JSON.parse(json.text).cart.groups[0].lines as { productId: string }[]).map((l) => l.productId);
      };
      // Process A now holds the session with one line.
      assert.deepEqual(await lines(), [String(products[0]!._id)]);
      await b.post(`${other}/cart/items`, { _csrf: csrf, productId: String(products[1]!._id), sku: 'default', quantity: '1' });
      assert.deepEqual(await lines(), [String(products[0]!._id), String(products[1]!._id)], 'the line added in the other process is there');
    });

    it('gives each of two requests of one session that share a read of the store its own copy', async () => {
      const [a] = p.urls;
      const coop = await makeCoop();
      for (let attempt = 0; ; attempt++) {
        const b = new Browser();
        const { csrf } = await shopperWithCart(b, a);
        const more = [await makeListedProduct(coop, { stock: 9 }), await makeListedProduct(coop, { stock: 9 })];
        // Two tabs add at once: a POST always reads the store, and reads asked together go as one (GatheredReads).
        const traffic = await sessionTraffic(() =>
          Promise.all(more.map((m) => b.post(`${a}/cart/items`, { _csrf: csrf, productId: String(m._id), sku: 'default', quantity: '1' }))),
        );
        if (traffic.reads !== 1) {
          assert.ok(attempt < 20, 'the two reads were never sent as one');
          continue;
        }
        const json = await b.go(`${a}/cart`, { headers: { accept: 'application/json' } });
        const lines = (JSON.parse(json.text).cart.groups as { lines: unknown[] }[]).flatMap((g) => g.lines);
        // Each added to its own copy of the one line: the last write holds two lines, never the other tab's as well.
        assert.equal(lines.length, 2);
        return;
      }
    });

    it('reads the store for a request that may change something, whatever the version cookie says', async () => {
      const [a, other] = p.urls;
      const b = new Browser();
      const { csrf, products } = await shopperWithCart(b, a);
      const stale = b.jar.get('filiera.sv')!;
      await b.post(`${other}/cart/items`, { _csrf: csrf, productId: String(products[1]!._id), sku: 'default', quantity: '1' });
      // A forged (old) version cookie: a GET may show this visitor their own earlier session, a POST never acts on it.
      b.jar.set('filiera.sv', stale);
      const traffic = await sessionTraffic(() =>
        b.post(`${a}/cart/items`, { _csrf: csrf, productId: String(products[1]!._id), sku: 'default', quantity: '1' }),
      );
      assert.ok(traffic.reads >= 1);
      const json = await b.go(`${a}/cart`, { headers: { accept: 'application/json' } });
      const lines = JSON.parse(json.text).cart.groups[0].lines as { quantity: number }[];
      assert.deepEqual(
        lines.map((l) => l.quantity),
        [1, 2],
      );
    });

    async function signIn(b: Browser, at: string) {
      const user = await makeUser();
      const login = await b.go(`${at}/login`);
      assert.equal((await b.post(`${at}/login`, { _csrf: csrfFrom(login.text), email: user.email, password: PASSWORD })).status, 303);
      return user;
    }

    it("reads the session store for none of a signed-in shopper's page views", async () => {
      const [a] = p.urls;
      const b = new Browser();
      await signIn(b, a);
      await b.go(`${a}/account`);
      const traffic = await sessionTraffic(async () => {
        for (const path of ['/', '/shop/produce', '/account', '/cart']) {
          const res = await b.go(`${a}${path}`);
          assert.equal(res.status, 200, path);
          assert.match(res.text, /action="\/logout"/, `${path} is shown to a signed-in user`);
        }
      });
      assert.deepEqual(traffic, { reads: 0, writes: 0 });
    });

    it('ends a session held in memory when a password reset ends every session elsewhere', async () => {
      const [a] = p.urls;
      const b = new Browser();
      const user = await signIn(b, a);
      assert.equal((await b.go(`${a}/account`)).status, 200);
      await endAllSessionsOf(user.id); // what a reset does, in any process
      const res = await b.go(`${a}/account`);
      assert.equal(res.status, 303);
      assert.match(res.headers.get('location') ?? '', /^\/login/);
    });

    it('never turns a copy of a session rotated elsewhere into a new signed-in session', async () => {
      const [a, other] = p.urls;
      const b = new Browser();
      const user = await signIn(b, a);
      assert.equal((await b.go(`${a}/account`)).status, 200);
      const copy = new Map(b.jar);
      // The user's rights change; their next request, in the other process, rotates the session id.
      await rightsChanged(user.id);
      assert.equal((await b.go(`${other}/account`)).status, 200);
      assert.notEqual(b.jar.get('filiera.sid'), copy.get('filiera.sid'), 'rotated');
      const thief = new Browser();
      for (const [k, v] of copy) thief.jar.set(k, v);
      const res = await thief.go(`${a}/account`);
      assert.equal(res.status, 303, 'process A held the old session, and asked the store');
      assert.match(res.headers.get('location') ?? '', /^\/login/);
      assert.equal((await b.go(`${a}/account`)).status, 200, 'the user goes on with the new session');
    });

    it('shows a saved cart changed in the other process on the next page, and reads no cart while it stands', async () => {
      const [a, other] = p.urls;
      const b = new Browser();
      await signIn(b, a);
      const coop = await makeCoop();
      const product = await makeListedProduct(coop, { stock: 9 });
      const itemCount = async () => JSON.parse((await b.go(`${a}/cart`, { headers: { accept: 'application/json' } })).text).cart.itemCount;
      assert.equal(await itemCount(), 0); // process A now holds the empty saved cart
      const page = await b.go(`${other}/products/${product.slug}`);
      const add = await b.post(`${other}/cart/items`, {
        _csrf: csrfFrom(page.text),
        productId: String(product._id),
        sku: 'default',
        quantity: '2',
      });
      assert.equal(add.status, 303);
      assert.equal(await itemCount(), 2, 'the units added in the other process are there');
      const reads = await readsOf('carts', async () => {
        for (const path of ['/', '/shop/produce', '/cart']) assert.equal((await b.go(`${a}${path}`)).status, 200, path);
      });
      assert.equal(reads, 0);
    });

    it('ends a signed-in session held in memory when it is signed out in the other process', async () => {
      const [a, other] = p.urls;
      const user = await makeUser();
      const b = new Browser();
      const login = await b.go(`${a}/login`);
      await b.post(`${a}/login`, { _csrf: csrfFrom(login.text), email: user.email, password: PASSWORD });
      assert.match((await b.go(`${a}/account`)).text, new RegExp(user.email));
      const copy = new Map(b.jar);
      const page = await b.go(`${other}/account`);
      await b.post(`${other}/logout`, { _csrf: csrfFrom(page.text) });
      // Someone holding a copy of the cookies, back on process A.
      const thief = new Browser();
      for (const [k, v] of copy) thief.jar.set(k, v);
      const res = await thief.go(`${a}/account`);
      assert.equal(res.status, 303);
      assert.match(res.headers.get('location') ?? '', /^\/login/);
    });
  });

  describe('a co-op member, whose co-ops ride in the session, served by two app processes', () => {
    let p: Awaited<ReturnType<typeof twoProcesses>>;
    before(async () => {
      p = await twoProcesses();
    });
    after(() => p.close());

    async function memberOf(coopId: string, role: 'owner' | 'staff', at: string) {
      const user = await makeUser();
      const m = await MembershipModel.create({ user: user.id, coop: coopId, role });
      const b = new Browser();
      const login = await b.go(`${at}/login`);
      await b.post(`${at}/login`, { _csrf: csrfFrom(login.text), email: user.email, password: PASSWORD });
      return { b, membershipId: String(m._id) };
    }

    it('reads the memberships once, not on every page', async () => {
      const [a] = p.urls;
      const coop = await makeCoop();
      const { b } = await memberOf(coop.id, 'staff', a);
      await b.go(`${a}/workspace/${coop.slug}/orders`);
      const find = Collection.prototype.find;
      let membershipReads = 0;
      Collection.prototype.find = function (this: Collection, ...args: Parameters<typeof find>) {
        if (this.collectionName === 'memberships') membershipReads++;
        return find.apply(this, args);
      } as typeof find;
      try {
        for (let i = 0; i < 3; i++) assert.equal((await b.go(`${a}/workspace/${coop.slug}/orders`)).status, 200);
      } finally {
        Collection.prototype.find = find;
      }
      assert.equal(membershipReads, 0);
    });

    it('loses the workspace at once when an owner removes them in the other process', async () => {
      const [a, other] = p.urls;
      const coop = await makeCoop();
      const staff = await memberOf(coop.id, 'staff', a);
      assert.equal((await staff.b.go(`${a}/workspace/${coop.slug}/orders`)).status, 200);
      const owner = await memberOf(coop.id, 'owner', other);
      const page = await owner.b.go(`${other}/workspace/${coop.slug}/members`);
      const removed = await owner.b.post(`${other}/workspace/${coop.slug}/members/${staff.membershipId}/remove`, {
        _csrf: csrfFrom(page.text),
      });
      assert.equal(removed.status, 303);
      assert.equal((await staff.b.go(`${a}/workspace/${coop.slug}/orders`)).status, 404);
    });

    it('shows a product written elsewhere on the goods list at once, and reads no product while none changes', async () => {
      const [a] = p.urls;
      const coop = await makeCoop();
      const { b } = await memberOf(coop.id, 'owner', a);
      const list = async () => (await b.go(`${a}/workspace/${coop.slug}/goods`)).text;
      await list(); // process A now holds the co-op's (empty) goods list
      // Written through the model, as any process's save is: its co-op's goods stamp moves.
      const product = await makeProduct(coop, { nameIt: 'Miele di sulla appena scritto' });
      assert.match(await list(), /Miele di sulla appena scritto/);
      assert.equal(await readsOf('products', list), 0);
      const doc = await ProductModel.findById(product._id);
      doc!.set('name.it', 'Miele rinominato');
      await doc!.save();
      assert.match(await list(), /Miele rinominato/);
      // Many co-ops' products written at once (seeding) move every co-op's stamp.
      const another = await makeCoop();
      await ProductModel.insertMany(
        [coop, another].map((c, i) => ({
          coop: c._id,
          department: 'produce',
          category: 'honey',
          slug: `insieme-${c.slug}-${i}`,
          name: { it: `Inserito insieme ${i}`, en: `Inserted together ${i}` },
          priceCents: 500,
          ivaRate: 4,
          variants: [{ sku: 'default', priceCents: 500 }],
        })),
      );
      assert.match(await list(), /Inserito insieme 0/);
    });

    it('sees its co-op paused at once', async () => {
      // A tiny app with the real session and user loading, that shows what a request sees of the user's co-ops.
      const a = express();
      a.use(express.urlencoded({ extended: false }));
      a.use(sessions(testConfig()));
      a.post('/as/:id', (req, res) => {
        req.session.userId = req.params.id;
        res.send('ok');
      });
      a.use(loadUser(membershipsOf));
      a.get('/coops', (req, res) => res.json(req.user!.coops.map((c) => c.status)));
      const coop = await makeCoop({ status: 'approved' });
      const user = await makeUser();
      await MembershipModel.create({ user: user.id, coop: coop.id, role: 'owner' });
      const agent = request.agent(a);
      await agent.post(`/as/${user.id}`).expect(200);
      assert.deepEqual((await agent.get('/coops').expect(200)).body, ['approved']);
      await changeCoopStatus(coop.id, 'pause');
      assert.deepEqual((await agent.get('/coops').expect(200)).body, ['paused']);
    });
  });
});

describe('a redirect after a session change', () => {
  it('goes out only once the session is stored, so the next page finds what the form left', async () => {
    const a = express();
    a.use(sessions(testConfig()));
    a.post('/note', (req, res) => {
      req.session.flash = [{ type: 'success', key: 'saved' }];
      res.redirect(303, '/next');
    });
    a.post('/nothing', (_req, res) => res.redirect(303, '/next'));
    // The store's writes take 300 ms: a 303 sent before the write ends would reach the browser first.
    const updateOne = Collection.prototype.updateOne;
    Collection.prototype.updateOne = function (this: Collection, ...args: Parameters<typeof updateOne>) {
      const slow = this.collectionName === 'sessions';
      return slow ? new Promise((r) => setTimeout(r, 300)).then(() => updateOne.apply(this, args)) : updateOne.apply(this, args);
    } as typeof updateOne;
    try {
      // What the store holds the moment the 303's headers arrive, as a browser would follow it.
      const server = a.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const { port } = server.address() as AddressInfo;
      const stored = await new Promise<Record<string, unknown> | null>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path: '/note', method: 'POST' }, (res) => {
          assert.equal(res.statusCode, 303);
          const sid = decodeURIComponent(/filiera\.sid=([^;]+)/.exec(String(res.headers['set-cookie']))![1]!)
            .slice(2)
            .split('.')[0]!;
          mongoose.connection
            .db!.collection('sessions')
            .findOne({ _id: sid as never })
            .then((doc) => {
              res.resume();
              resolve(doc);
            }, reject);
        });
        req.on('error', reject);
        req.end();
      }).finally(() => server.close());
      assert.deepEqual((stored?.session as { flash?: unknown[] } | undefined)?.flash, [{ type: 'success', key: 'saved' }]);
      // A visitor whose session holds nothing gets no session from a redirect.
      const none = await request(a).post('/nothing').expect(303);
      assert.doesNotMatch(String(none.headers['set-cookie'] ?? ''), /filiera\.sid=/);
    } finally {
      Collection.prototype.updateOne = updateOne;
    }
  });
});
