import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { Collection } from 'mongodb';
import mongoose from 'mongoose';
import { buildApp, browser, csrfFrom } from '../support/app';
import { makeCoop, makeListedProduct } from '../support/factories';

async function tokenOf(b: ReturnType<typeof browser>): Promise<string> {
  // Any page with a form gives the session a CSRF token; the login page always has one.
  const res = await b.get('/login');
  return csrfFrom(res.text);
}

describe('cart routes', () => {
  let app: Express;
  before(() => {
    app = buildApp().app;
  });

  async function signedOutCart() {
    const b = browser(app);
    return { b, csrf: await tokenOf(b) };
  }

  describe('POST /cart/items', () => {
    describe('with a valid product', () => {
      it('adds it, prices it on the server and groups it by co-op', async () => {
        const coop = await makeCoop({ shipping: { flatCents: 500, freeOverCents: 5000 } });
        const product = await makeListedProduct(coop, { priceCents: 1250, ivaRate: 4, stock: 5 });
        const { b, csrf } = await signedOutCart();
        await b
          .post('/cart/items')
          .type('form')
          .send({ _csrf: csrf, productId: String(product._id), sku: 'default', quantity: '2', priceCents: '1', total: '1', discount: '99' })
          .expect(303)
          .expect('Location', '/cart');
        const res = await b.get('/cart').set('Accept', 'application/json').expect(200);
        const cart = res.body.cart;
        assert.equal(cart.groups.length, 1);
        assert.equal(cart.groups[0].coop.name, coop.name);
        assert.equal(cart.groups[0].lines[0].unitCents, 1250);
        assert.equal(cart.subtotalCents, 2500);
        assert.equal(cart.shippingCents, 500);
        assert.equal(cart.totalCents, 3000);
        // Shipping follows its goods' rate (art. 12 DPR 633/72): 25.00 of goods + 5.00 shipping, all at 4%.
        assert.deepEqual(cart.iva, [{ rate: 4, cents: 115 }]);
        const page = await b.get('/cart').expect(200);
        assert.match(page.text, new RegExp(coop.name));
        assert.match(page.text, /1\s?\d?/);
      });
    });

    describe('when more is asked than is on hand', () => {
      it('keeps what is on hand and says so', async () => {
        const coop = await makeCoop();
        const product = await makeListedProduct(coop, { stock: 3 });
        const { b, csrf } = await signedOutCart();
        await b
          .post('/cart/items')
          .type('form')
          .send({ _csrf: csrf, productId: String(product._id), quantity: '50' })
          .expect(303);
        const res = await b.get('/cart').set('Accept', 'application/json').expect(200);
        assert.equal(res.body.cart.groups[0].lines[0].quantity, 3);
      });
    });

    describe('with tampered quantities', () => {
      for (const quantity of ['0', '-1', '1.5', '1e9', 'abc', '']) {
        it(`refuses quantity "${quantity}" with 422 and adds nothing`, async () => {
          const coop = await makeCoop();
          const product = await makeListedProduct(coop);
          const { b, csrf } = await signedOutCart();
          const res = await b
            .post('/cart/items')
            .type('form')
            .send({ _csrf: csrf, productId: String(product._id), quantity })
            .expect(422);
          assert.match(res.text, /role="alert"/);
          const after = await b.get('/cart').set('Accept', 'application/json').expect(200);
          assert.equal(after.body.cart.groups.length, 0);
        });
      }

      it('refuses an array quantity', async () => {
        const coop = await makeCoop();
        const product = await makeListedProduct(coop);
        const { b, csrf } = await signedOutCart();
        await b
          .post('/cart/items')
          .type('form')
          .send(`_csrf=${encodeURIComponent(csrf)}&productId=${product._id}&quantity=1&quantity=2`)
          .expect(422);
      });
    });

    describe('when the product cannot be bought', () => {
      it('refuses an unpublished product with 404', async () => {
        const coop = await makeCoop();
        const product = await makeListedProduct(coop, { published: false });
        const { b, csrf } = await signedOutCart();
        await b
          .post('/cart/items')
          .type('form')
          .send({ _csrf: csrf, productId: String(product._id) })
          .expect(404);
      });

      it('refuses a product of a paused co-op with 404', async () => {
        const coop = await makeCoop({ status: 'paused' });
        const product = await makeListedProduct(coop);
        const { b, csrf } = await signedOutCart();
        await b
          .post('/cart/items')
          .type('form')
          .send({ _csrf: csrf, productId: String(product._id) })
          .expect(404);
      });

      it('refuses a sold-out product with 409', async () => {
        const coop = await makeCoop();
        const product = await makeListedProduct(coop, { stock: 0 });
        const { b, csrf } = await signedOutCart();
        await b
          .post('/cart/items')
          .type('form')
          .send({ _csrf: csrf, productId: String(product._id) })
          .expect(409);
      });
    });

    describe('asked for JSON by a client that goes on as soon as the status arrives', () => {
      it('has stored the cart before the status line is sent', async () => {
        const coop = await makeCoop();
        const product = await makeListedProduct(coop, { stock: 5 });
        const server = app.listen(0, '127.0.0.1');
        await once(server, 'listening');
        // A slow session store (a busy database): each session write takes 300 ms longer.
        const updateOne = Collection.prototype.updateOne;
        Collection.prototype.updateOne = function (this: Collection, ...args: Parameters<typeof updateOne>) {
          if (this.collectionName !== 'sessions') return updateOne.apply(this, args);
          return new Promise((wait) => setTimeout(wait, 300)).then(() => updateOne.apply(this, args));
        } as typeof updateOne;
        try {
          const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
          const page = await fetch(`${base}/login`);
          const cookie = page.headers
            .getSetCookie()
            .map((c) => c.split(';')[0])
            .join('; ');
          const csrf = csrfFrom(await page.text());
          const sid = /^[^=]+=s%3A([^.]+)\./.exec(cookie)![1]!;
          // Read the stored session the moment the headers arrive, before the body is complete.
          const storedAtStatus = await new Promise<unknown>((resolve, reject) => {
            const req = httpRequest(
              `${base}/cart/items`,
              { method: 'POST', headers: { cookie, accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' } },
              (res) => {
                assert.equal(res.statusCode, 201);
                mongoose.connection
                  .db!.collection<{ _id: string; session: { cart?: unknown[] } }>('sessions')
                  .findOne({ _id: sid })
                  .then((doc) => {
                    res.resume();
                    resolve(doc?.session.cart);
                  }, reject);
              },
            );
            req.on('error', reject);
            req.end(`_csrf=${encodeURIComponent(csrf)}&productId=${product._id}&quantity=1`);
          });
          assert.deepEqual(storedAtStatus, [{ productId: String(product._id), sku: 'default', quantity: 1 }]);
        } finally {
          Collection.prototype.updateOne = updateOne;
          server.close();
        }
      });
    });
  });

  describe('POST /cart/items, stored once', () => {
    /** How many session writes (sets and touches) reach the database while `fn` runs. */
    async function countSessionWrites(fn: () => Promise<unknown>): Promise<number> {
      const updateOne = Collection.prototype.updateOne;
      let writes = 0;
      Collection.prototype.updateOne = function (this: Collection, ...args: Parameters<typeof updateOne>) {
        if (this.collectionName === 'sessions') writes++;
        return updateOne.apply(this, args);
      } as typeof updateOne;
      try {
        await fn();
      } finally {
        Collection.prototype.updateOne = updateOne;
      }
      return writes;
    }

    it('writes the session once per request', async () => {
      const coop = await makeCoop();
      const product = await makeListedProduct(coop, { stock: 5 });
      const { b, csrf } = await signedOutCart();
      const writes = await countSessionWrites(async () => {
        await b
          .post('/cart/items')
          .set('Accept', 'application/json')
          .type('form')
          .send({ _csrf: csrf, productId: String(product._id), quantity: '1' })
          .expect(201);
        await b
          .post('/cart/items')
          .type('form')
          .send({ _csrf: csrf, productId: String(product._id), quantity: '1' })
          .expect(303);
      });
      assert.equal(writes, 2);
    });

    it('does not touch a session it has just stored, however long ago it was stored before', async () => {
      const coop = await makeCoop();
      const product = await makeListedProduct(coop, { stock: 5 });
      const { b, csrf } = await signedOutCart();
      // The visitor comes back after a few minutes: the session's lastModified is old.
      await mongoose.connection.db!.collection('sessions').updateMany({}, { $set: { lastModified: new Date(Date.now() - 5 * 60_000) } });
      const writes = await countSessionWrites(() =>
        b
          .post('/cart/items')
          .set('Accept', 'application/json')
          .type('form')
          .send({ _csrf: csrf, productId: String(product._id), quantity: '1' })
          .expect(201),
      );
      assert.equal(writes, 1);
    });
  });

  describe('POST /cart/items/:key/quantity and /remove', () => {
    it('changes the quantity, then removes the line', async () => {
      const coop = await makeCoop();
      const product = await makeListedProduct(coop, { stock: 10 });
      const { b, csrf } = await signedOutCart();
      await b
        .post('/cart/items')
        .type('form')
        .send({ _csrf: csrf, productId: String(product._id), quantity: '1' })
        .expect(303);
      const key = encodeURIComponent(`${product._id}:default`);
      await b.post(`/cart/items/${key}/quantity`).type('form').send({ _csrf: csrf, quantity: '4' }).expect(303);
      let res = await b.get('/cart').set('Accept', 'application/json').expect(200);
      assert.equal(res.body.cart.groups[0].lines[0].quantity, 4);
      await b.post(`/cart/items/${key}/quantity`).type('form').send({ _csrf: csrf, quantity: '1.5' }).expect(422);
      await b.post(`/cart/items/${key}/remove`).type('form').send({ _csrf: csrf }).expect(303);
      res = await b.get('/cart').set('Accept', 'application/json').expect(200);
      assert.equal(res.body.cart.groups.length, 0);
    });
  });

  describe('the header count', () => {
    it('shows the units in the cart', async () => {
      const coop = await makeCoop();
      const product = await makeListedProduct(coop);
      const { b, csrf } = await signedOutCart();
      await b
        .post('/cart/items')
        .type('form')
        .send({ _csrf: csrf, productId: String(product._id), quantity: '3' })
        .expect(303);
      const page = await b.get('/cart').expect(200);
      assert.match(page.text, /<span class="badge"[^>]*>3<\/span>/);
    });
  });
});
