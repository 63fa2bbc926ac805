import assert from 'node:assert/strict';
import type { Express } from 'express';
import type { Types } from 'mongoose';
import { buildApp, browser, csrfFrom, MemoryMailer } from '../support/app';
import { makeCoop, makeListedProduct } from '../support/factories';
import { DemoGateway } from '../../src/payments/demo-gateway';
import { OrderModel } from '../../src/orders/order.model';
import { WithdrawalRequestModel } from '../../src/orders/withdrawal.model';
import { ADDRESS, csrfOf, guestCheckout } from './support';

type Agent = ReturnType<typeof browser>;

/** A guest with these goods in the cart, on the checkout form. */
async function toCheckoutForm(b: Agent, products: Types.ObjectId[]) {
  for (const p of products) {
    const csrf = await csrfOf(b); // before the request is made: the agent sends the cookies it has then
    await b
      .post('/cart/items')
      .type('form')
      .send({ _csrf: csrf, productId: String(p), quantity: '1' })
      .expect(303);
  }
  return b.get('/checkout').expect(200);
}

const checkout = (b: Agent, products: Types.ObjectId[], email: string) => guestCheckout(b, products, { email });

describe('terms and withdrawal', () => {
  let app: Express;
  let gw: DemoGateway;
  const mailer = new MemoryMailer();
  let terms: () => Promise<string>;
  before(() => {
    gw = new DemoGateway();
    const built = buildApp({ payments: gw, mailer });
    app = built.app;
    terms = async () => (await built.services.legal.company()).termsVersion;
  });

  describe('POST /checkout without the terms box', () => {
    it('shows the form again (422) with a message and what was typed, and starts no checkout', async () => {
      const coop = await makeCoop();
      const product = await makeListedProduct(coop, { category: 'cheese' });
      const b = browser(app);
      const form = await toCheckoutForm(b, [product._id]);
      // Cheese is perishable: the box says the right of withdrawal does not cover it.
      assert.match(form.text, /prodotti deperibili/);
      assert.match(form.text, /<a href="\/legal\/terms"/);
      assert.match(form.text, /<a href="\/legal\/withdrawal"/);
      const res = await b
        .post('/checkout')
        .type('form')
        .send({ _csrf: csrfFrom(form.text), email: 'noterms@example.test', ...ADDRESS })
        .expect(422);
      assert.match(res.text, /Per ordinare devi accettare le condizioni generali di vendita\./);
      assert.match(res.text, /id="f-terms-box"[^>]*aria-invalid="true"/);
      assert.match(res.text, /value="noterms@example\.test"/);
      assert.match(res.text, /value="Via Roma 1"/);
      // No draft: the review sends the buyer back to the form.
      await b.get('/checkout/review').expect(303).expect('Location', '/checkout');
      assert.equal(await OrderModel.countDocuments({ 'buyer.email': 'noterms@example.test' }), 0);
    });

    it('reports the missing box together with a bad address', async () => {
      const coop = await makeCoop();
      const product = await makeListedProduct(coop);
      const b = browser(app);
      const form = await toCheckoutForm(b, [product._id]);
      assert.doesNotMatch(form.text, /prodotti deperibili/);
      const res = await b
        .post('/checkout')
        .type('form')
        .send({ _csrf: csrfFrom(form.text), email: 'noterms2@example.test', ...ADDRESS, postalCode: '1' })
        .expect(422);
      assert.match(res.text, /id="f-terms-error"/);
      assert.match(res.text, /id="f-postalCode-error"/);
    });
  });

  describe('POST /checkout with the terms box', () => {
    it('records on the order when the terms were accepted, which version, and who sells', async () => {
      const coop = await makeCoop({
        legalName: 'Terre Prova Soc. Coop.',
        vatNumber: '06789012348',
        seat: 'Via Bari 1, 71042 Cerignola (FG)',
      });
      const product = await makeListedProduct(coop);
      const b = browser(app);
      const startedAt = Date.now();
      const order = await checkout(b, [product._id], 'terms@example.test');
      assert.ok(order.termsAcceptedAt && order.termsAcceptedAt.getTime() >= startedAt - 1000);
      assert.equal(order.termsVersion, await terms());
      assert.deepEqual(
        order.coops.map((c) => [c.legalName, c.vatNumber, c.seat]),
        [['Terre Prova Soc. Coop.', '06789012348', 'Via Bari 1, 71042 Cerignola (FG)']],
      );
      await gw.pay(order.payment.sessionId!);
      await b.get(`/checkout/success?order=${order._id}`).expect(200);
      const page = await b.get(`/orders/view/${order.viewToken}`).expect(200);
      assert.match(
        page.text,
        /Venduto da <strong>Terre Prova Soc\. Coop\.<\/strong> · P\.IVA 06789012348 · Via Bari 1, 71042 Cerignola \(FG\)/,
      );
      const receipt = mailer.sent.find((m) => m.to === 'terms@example.test');
      assert.match(receipt!.text, /Venduto da Terre Prova Soc\. Coop\., P\.IVA 06789012348, Via Bari 1, 71042 Cerignola \(FG\)/);
      assert.match(receipt!.html!, /\/legal\/withdrawal/);
    });
  });

  describe('POST /legal/withdrawal', () => {
    async function paidOrder(email: string) {
      const coop = await makeCoop();
      const product = await makeListedProduct(coop);
      const b = browser(app);
      const order = await checkout(b, [product._id], email);
      await gw.pay(order.payment.sessionId!);
      await b.get(`/checkout/success?order=${order._id}`).expect(200);
      return { order, coop };
    }

    async function send(fields: Record<string, string>, status: number) {
      const b = browser(app);
      const page = await b.get('/legal/withdrawal').expect(200);
      return b
        .post('/legal/withdrawal')
        .type('form')
        .send({ _csrf: csrfFrom(page.text), name: 'Maria Rossi', goods: '', receivedOn: '', confirm: 'yes', ...fields })
        .expect(status);
    }

    it('refuses a wrong e-mail with the same answer as a missing order, records nothing and mails nobody', async () => {
      const { order } = await paidOrder('owner@example.test');
      const before = mailer.sent.length;
      const wrong = await send({ number: order.number, email: 'stranger@example.test' }, 422);
      const missing = await send({ number: 'FIL-2099-999999', email: 'stranger@example.test' }, 422);
      for (const res of [wrong, missing]) {
        assert.match(res.text, /Non troviamo un ordine con questo numero e questa email/);
        assert.ok(!res.text.includes('Via Roma 1'), 'no order data shown');
      }
      assert.equal(await WithdrawalRequestModel.countDocuments({ order: order._id }), 0);
      assert.equal(mailer.sent.length, before);
    });

    it('shows the form again with a message per bad field (422)', async () => {
      const res = await send({ number: 'nope', email: 'x', name: '', confirm: '' }, 422);
      for (const f of ['number', 'email', 'name', 'confirm']) assert.match(res.text, new RegExp(`id="w-${f}-error"`));
      assert.match(res.text, /value="nope"/);
    });

    it('records the request of the right number and e-mail, confirms it to the buyer and tells the co-op', async () => {
      const { order, coop } = await paidOrder('buyer-w@example.test');
      const before = mailer.sent.length;
      const res = await send(
        { number: order.number.toLowerCase(), email: 'Buyer-W@example.test', goods: 'Il vasetto di miele', receivedOn: '2026-11-30' },
        303,
      );
      assert.equal(res.headers.location, '/legal/withdrawal#withdrawal-form');
      const saved = await WithdrawalRequestModel.findOne({ order: order._id }).lean();
      assert.deepEqual(
        [saved?.orderNumber, saved?.name, saved?.email, saved?.goods, saved?.receivedOn, saved?.coops.map(String)],
        [order.number, 'Maria Rossi', 'buyer-w@example.test', 'Il vasetto di miele', '2026-11-30', [coop.id]],
      );
      const mails = mailer.sent.slice(before);
      assert.deepEqual(mails.map((m) => m.to).sort(), ['buyer-w@example.test', coop.contact!.email!].sort());
      const toBuyer = mails.find((m) => m.to === 'buyer-w@example.test')!;
      assert.equal(toBuyer.subject, 'Abbiamo ricevuto il tuo recesso');
      assert.match(toBuyer.text, new RegExp(`Recesso per l'ordine ${order.number}`));
      assert.match(toBuyer.text, /Il vasetto di miele/);
      const toCoop = mails.find((m) => m.to === coop.contact!.email)!;
      assert.match(toCoop.text, /Maria Rossi \(buyer-w@example\.test\)/);
    });

    it('refuses an order that was never paid (409)', async () => {
      const coop = await makeCoop();
      const product = await makeListedProduct(coop);
      const order = await checkout(browser(app), [product._id], 'unpaid@example.test');
      const res = await send({ number: order.number, email: 'unpaid@example.test' }, 409);
      assert.match(res.text, /non è stato pagato/);
    });
  });
});
