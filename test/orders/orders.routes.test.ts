import assert from 'node:assert/strict';
import type { Express } from 'express';
import { Types } from 'mongoose';
import { buildApp, browser, csrfFrom } from '../support/app';
import { testEngines } from '../support/engines';
import { createUser } from '../../src/accounts';
import { UserModel } from '../../src/accounts/user.model';
import { CoopModel } from '../../src/coops/coop.model';
import { OrderModel } from '../../src/orders/order.model';
import { ADDRESS, TERMS, addToCart, csrfOf } from './support';
import { makeCoop, makeListedProduct, onHand, unique } from '../support/factories';
import { formatMoney } from '../../src/platform/money';

type Agent = ReturnType<typeof browser>;

async function fillCheckout(b: Agent, fields: Record<string, string>) {
  const form = await b.get('/checkout').expect(200);
  return b
    .post('/checkout')
    .type('form')
    .send({ _csrf: csrfFrom(form.text), ...TERMS, ...fields });
}

async function review(b: Agent): Promise<{ csrf: string; attempt: string; html: string }> {
  const page = await b.get('/checkout/review').expect(200);
  return { csrf: csrfFrom(page.text), attempt: /name="attempt" value="([^"]+)"/.exec(page.text)![1]!, html: page.text };
}

const guestFields = { email: 'guest@example.test', ...ADDRESS };

describe('checkout routes', () => {
  let app: Express;
  before(() => {
    app = buildApp().app;
  });

  describe('a guest checkout', () => {
    it('goes from the cart to the Stripe session and to the order page', async () => {
      const coop = await makeCoop({
        shipping: { flatCents: 500, freeOverCents: 0 },
        legalName: 'Esempio Soc. Coop.',
        vatNumber: '04567890126',
        seat: 'Via Dante 4, 70121 Bari (BA)',
      });
      const product = await makeListedProduct(coop, { priceCents: 1200, stock: 4 });
      const b = browser(app);
      await addToCart(b, product._id, '2');
      await fillCheckout(b, guestFields).then((r) => assert.equal(r.status, 303));
      const { csrf, attempt, html } = await review(b);
      assert.match(html, new RegExp(coop.name));
      // Who sells is named before the buyer pays.
      assert.match(html, /Venduto da <strong>Esempio Soc\. Coop\.<\/strong> · P\.IVA 04567890126 · Via Dante 4, 70121 Bari \(BA\)/);
      assert.match(html, /Commissione di Filiera/);
      const placed = await b.post('/checkout/place').type('form').send({ _csrf: csrf, attempt }).expect(303);
      assert.match(String(placed.headers.location), /^https?:\/\//);
      assert.equal(await onHand(product._id), 2);

      const again = await b.post('/checkout/place').type('form').send({ _csrf: csrf, attempt }).expect(303);
      assert.equal(again.headers.location, placed.headers.location);
      assert.equal(await onHand(product._id), 2);

      const mine = await OrderModel.find({ 'buyer.email': 'guest@example.test' }).lean();
      const order = mine.find((o) => o.lines.some((l) => String(l.product) === String(product._id)));
      assert.ok(order);
      assert.equal(order.totalCents, 2900);
      assert.match(order.number, /^FIL-\d{4}-\d{6}$/);
      const success = await b.get(`/checkout/success?order=${order._id}`).expect(200);
      assert.ok(success.text.includes(`/orders/view/${order.viewToken}`));
      const view = await browser(app).get(`/orders/view/${order.viewToken}`).expect(200);
      assert.ok(view.text.includes(order.number));
      await browser(app)
        .get(`/orders/view/${'a'.repeat(43)}`)
        .expect(404);
      const cart = await b.get('/cart').set('Accept', 'application/json').expect(200);
      assert.equal(cart.body.cart.groups.length, 0);
    });
  });

  describe('with goods from two co-ops', () => {
    /** The HTML of the section labelled by `id`. */
    const section = (html: string, id: string) =>
      new RegExp(`<section[^>]*aria-labelledby="${id}"[^>]*>[\\s\\S]*?</section>`).exec(html)?.[0] ?? '';
    const euro = (cents: number) => formatMoney(cents, 'it');

    async function twoCoopCart() {
      const honey = await makeCoop({ shipping: { flatCents: 500, freeOverCents: 0 } });
      const oil = await makeCoop({ shipping: { flatCents: 700, freeOverCents: 0 } });
      const jar = await makeListedProduct(honey, { priceCents: 1200, stock: 9 });
      const can = await makeListedProduct(oil, { priceCents: 300, stock: 9 });
      const b = browser(app);
      await addToCart(b, jar._id, '2');
      await addToCart(b, can._id);
      return { b, honey, oil, jar, can };
    }

    describe('GET /checkout', () => {
      it('shows the order summary before the address form: lines, goods and shipping per co-op, total', async () => {
        const { b, honey, oil, jar } = await twoCoopCart();
        const page = await b.get('/checkout').expect(200);
        const summary = section(page.text, 'summary-h');
        assert.ok(page.text.indexOf(summary) < page.text.indexOf('<form action="/checkout"'), 'the summary comes first');
        assert.ok(summary.includes(`<h3>${honey.name}</h3>`) && summary.includes(`<h3>${oil.name}</h3>`), summary);
        assert.ok(summary.includes(`2 × ${jar.name?.it}`), summary);
        for (const cents of [2400, 500, 300, 700]) assert.ok(summary.includes(euro(cents)), `${euro(cents)} in ${summary}`);
        assert.match(summary, new RegExp(`Totale</dt><dd class="total">${euro(3900)}</dd>`));
      });
    });

    describe('GET /checkout/review', () => {
      it('shows what the buyer pays apart from, and before, how the payment is shared', async () => {
        const { b, honey, oil } = await twoCoopCart();
        await fillCheckout(b, guestFields).then((r) => assert.equal(r.status, 303));
        const { html } = await review(b);
        const pays = section(html, 'rv-total');
        const shared = section(html, 'rv-split');
        assert.match(pays, /Cosa paghi/);
        assert.match(pays, new RegExp(`Totale</dt><dd class="total">${euro(3900)}</dd>`));
        assert.match(pays, /di cui IVA/);
        assert.doesNotMatch(pays, /Commissione|Alla cooperativa/);
        assert.match(shared, /Come viene ripartito il tuo pagamento/);
        for (const coop of [honey, oil]) assert.ok(shared.includes(`Alla cooperativa ${coop.name}`), shared);
        assert.equal([...shared.matchAll(/Commissione di Filiera \(/g)].length, 2);
        assert.ok(html.indexOf(pays) < html.indexOf('action="/checkout/place"'), 'the total comes before the pay button');
        assert.ok(html.indexOf('action="/checkout/place"') < html.indexOf(shared), 'the split comes after it');
      });
    });
  });

  describe('POST /checkout', () => {
    describe('with an invalid Italian address', () => {
      it('shows the form again with 422 and a message per field', async () => {
        const coop = await makeCoop();
        const product = await makeListedProduct(coop);
        const b = browser(app);
        await addToCart(b, product._id);
        const res = await fillCheckout(b, { ...guestFields, postalCode: '123', province: 'XX', email: 'nope' });
        assert.equal(res.status, 422);
        assert.match(res.text, /id="f-postalCode"[^>]*aria-invalid="true" aria-describedby="f-postalCode-error"/);
        assert.match(res.text, /id="f-province"[^>]*aria-invalid="true"/);
        assert.match(res.text, /id="f-email"[^>]*aria-invalid="true"/);
        assert.match(res.text, /value="Via Roma 1"/);
      });
    });

    describe("with another user's saved address id", () => {
      it('refuses it and creates nothing', async () => {
        const coop = await makeCoop();
        const product = await makeListedProduct(coop, { stock: 20 });
        const s = unique();
        const other = await createUser({ name: 'Other', email: `other-${s}@example.test`, password: 'a-long-password-1' });
        await UserModel.updateOne({ _id: other._id }, { $push: { addresses: { ...ADDRESS, _id: new Types.ObjectId() } } });
        const otherAddressId = String((await UserModel.findById(other._id).lean())!.addresses[0]!._id);
        await createUser({ name: 'Me', email: `me-${s}@example.test`, password: 'a-long-password-1' });
        const b = browser(app);
        const loginCsrf = await csrfOf(b);
        await b
          .post('/login')
          .type('form')
          .send({ _csrf: loginCsrf, email: `me-${s}@example.test`, password: 'a-long-password-1' })
          .expect(303);
        await addToCart(b, product._id);
        const res = await fillCheckout(b, { addressId: otherAddressId });
        assert.equal(res.status, 422);
        assert.match(res.text, /f-addressId/);
        await b.get('/checkout/review').expect(303).expect('Location', '/checkout');
        assert.equal(await onHand(product._id), 20);
      });
    });
  });

  describe('POST /checkout/place', () => {
    describe('with an empty cart', () => {
      it('shows the cart with a message and creates nothing', async () => {
        const b = browser(app);
        const csrf = await csrfOf(b);
        const res = await b
          .post('/checkout/place')
          .type('form')
          .send({ _csrf: csrf, attempt: 'x'.repeat(22) })
          .expect(409);
        assert.match(res.text, /role="alert"/);
      });
    });

    describe('when the co-op was paused after the review', () => {
      it('keeps the cart, says what changed and holds no stock', async () => {
        const coop = await makeCoop();
        const product = await makeListedProduct(coop, { stock: 3 });
        const b = browser(app);
        await addToCart(b, product._id);
        await fillCheckout(b, guestFields);
        const { csrf, attempt } = await review(b);
        await CoopModel.updateOne({ _id: coop._id }, { $set: { status: 'paused' } });
        const res = await b.post('/checkout/place').type('form').send({ _csrf: csrf, attempt, totalCents: '1' }).expect(409);
        assert.match(res.text, /role="alert"/);
        assert.equal(await onHand(product._id), 3);
      });
    });

    describe('when Stripe is down', () => {
      it('shows "try again" within 10 s and a retry goes to the same order', async function () {
        this.timeout(60_000);
        const coop = await makeCoop();
        const product = await makeListedProduct(coop, { stock: 3 });
        const b = browser(app);
        await addToCart(b, product._id);
        await fillCheckout(b, { ...guestFields, email: `down-${unique()}@example.test` });
        const { csrf, attempt } = await review(b);
        const mock = testEngines().stripeMock;
        await mock.stop();
        try {
          const t0 = Date.now();
          const res = await b.post('/checkout/place').type('form').send({ _csrf: csrf, attempt }).expect(503);
          assert.ok(Date.now() - t0 < 10_000);
          assert.match(res.text, /name="attempt" value="[^"]+"/);
        } finally {
          await mock.start();
        }
        const retry = await b.post('/checkout/place').type('form').send({ _csrf: csrf, attempt }).expect(303);
        assert.match(String(retry.headers.location), /^https?:\/\//);
        assert.equal(await onHand(product._id), 2);
      });
    });
  });

  describe('GET /account/orders', () => {
    it('asks a guest to sign in', async () => {
      await browser(app).get('/account/orders').expect(303);
    });

    it("lists a signed-in buyer's orders, and the guest cart joins theirs at sign-in", async () => {
      const coop = await makeCoop();
      const product = await makeListedProduct(coop, { stock: 5 });
      const s = unique();
      await createUser({ name: 'Buyer', email: `buyer-${s}@example.test`, password: 'a-long-password-1' });
      const b = browser(app);
      await addToCart(b, product._id, '2');
      const loginCsrf = await csrfOf(b);
      await b
        .post('/login')
        .type('form')
        .send({ _csrf: loginCsrf, email: `buyer-${s}@example.test`, password: 'a-long-password-1' })
        .expect(303);
      const cart = await b.get('/cart').set('Accept', 'application/json').expect(200);
      assert.equal(cart.body.cart.groups[0].lines[0].quantity, 2);
      await fillCheckout(b, ADDRESS).then((r) => assert.equal(r.status, 303));
      const { csrf, attempt } = await review(b);
      await b.post('/checkout/place').type('form').send({ _csrf: csrf, attempt }).expect(303);
      const list = await b.get('/account/orders').expect(200);
      const number = /FIL-\d{4}-\d{6}/.exec(list.text)?.[0];
      assert.ok(number);
      const order = (await OrderModel.find({ number }).lean())[0]!;
      assert.equal(order.buyer.email, `buyer-${s}@example.test`);
      await b.get(`/account/orders/${order._id}`).expect(200);
      const other = browser(app);
      await createUser({ name: 'Other', email: `nosy-${s}@example.test`, password: 'a-long-password-1' });
      const otherCsrf = await csrfOf(other);
      await other
        .post('/login')
        .type('form')
        .send({ _csrf: otherCsrf, email: `nosy-${s}@example.test`, password: 'a-long-password-1' })
        .expect(303);
      await other.get(`/account/orders/${order._id}`).expect(404);
    });
  });
});
