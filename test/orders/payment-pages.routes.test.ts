import assert from 'node:assert/strict';
import type { Express } from 'express';
import { Types } from 'mongoose';
import { MemoryMailer, browser, buildApp, csrfFrom } from '../support/app';
import type { PaymentEvents } from '../../src/payments/payments.service';
import { signedIn } from '../admin/helpers';
import { DemoGateway } from '../../src/payments/demo-gateway';
import type { CompletedCheckout } from '../../src/payments/gateway';
import { OrderModel, type Order } from '../../src/orders/order.model';
import { CoopShareModel } from '../../src/orders/coop-share.model';
import { ADDRESS, TERMS, guestCheckout, type Agent } from './support';
import { makeCoop, makeUser, makeListedProduct, onHand } from '../support/factories';

/** A guest puts `quantity` of each product in the cart, fills the address and presses "pay": the order it made. */
const checkout = (b: Agent, products: Types.ObjectId[], address: Record<string, string> = ADDRESS, quantity = '1'): Promise<Order> =>
  guestCheckout(b, products, { address, quantity });

describe('payment pages', () => {
  let app: Express;
  let gw: DemoGateway;
  let events: PaymentEvents;
  const mailer = new MemoryMailer();
  before(() => {
    gw = new DemoGateway();
    ({
      app,
      services: { paymentEvents: events },
    } = buildApp({ payments: gw, mailer }));
  });

  describe('GET /checkout/success', () => {
    describe('when the buyer is back before the payment event', () => {
      it('asks the provider, shows the order paid and sells its stock', async () => {
        const coop = await makeCoop();
        const product = await makeListedProduct(coop, { stock: 3 });
        const b = browser(app);
        const order = await checkout(b, [product._id]);
        // Paid at the provider; no webhook (the demo page would have sent one, Stripe's may be late).
        await gw.pay(order.payment.sessionId!);
        const page = await b.get(`/checkout/success?order=${order._id}`).expect(200);
        assert.match(page.text, new RegExp(`${order.number} è pagato`));
        assert.doesNotMatch(page.text, /http-equiv="refresh"/);
        assert.equal((await OrderModel.findById(order._id).lean())?.status, 'paid');
        assert.equal(await onHand(product._id), 2);
      });
    });

    describe('when the webhook comes at the same time', () => {
      it('settles the order once: one receipt, the stock sold once', async () => {
        const coop = await makeCoop();
        const product = await makeListedProduct(coop, { stock: 3 });
        const b = browser(app);
        const order = await checkout(b, [product._id]);
        const paid = await gw.pay(order.payment.sessionId!);
        const sentBefore = mailer.sent.length;
        await Promise.all([
          b.get(`/checkout/success?order=${order._id}`).expect(200),
          events.handleCheckoutCompleted(paid),
          events.handleCheckoutCompleted(paid),
        ]);
        const mails = mailer.sent.slice(sentBefore);
        assert.equal(mails.filter((m) => m.to === 'guest@example.test').length, 1);
        assert.equal(await onHand(product._id), 2);
        assert.equal((await OrderModel.findById(order._id).lean())?.status, 'paid');
      });
    });

    describe('when the provider is slow', () => {
      it('shows the pending state within its time and refreshes itself', async function () {
        this.timeout(20_000);
        const slow = new DemoGateway();
        const slowApp = buildApp({ payments: slow }).app;
        const coop = await makeCoop();
        const product = await makeListedProduct(coop, { stock: 3 });
        const b = browser(slowApp);
        const order = await checkout(b, [product._id]);
        slow.retrieveCheckoutSession = () => new Promise<CompletedCheckout>(() => undefined);
        const t0 = Date.now();
        const page = await b.get(`/checkout/success?order=${order._id}`).expect(200);
        assert.ok(Date.now() - t0 < 6_000, `took ${Date.now() - t0} ms`);
        assert.match(page.text, /Stiamo aspettando la conferma del pagamento/);
        assert.match(page.text, /<meta http-equiv="refresh" content="3">/);
      });
    });
  });

  describe('POST /checkout with a changed address', () => {
    it('expires the first Checkout Session, so it can no longer be paid', async () => {
      const coop = await makeCoop();
      const product = await makeListedProduct(coop, { stock: 3 });
      const b = browser(app);
      const first = await checkout(b, [product._id]);
      const form = await b.get('/checkout').expect(200);
      await b
        .post('/checkout')
        .type('form')
        .send({ _csrf: csrfFrom(form.text), email: 'guest@example.test', ...TERMS, ...ADDRESS, line1: 'Via Nuova 2' })
        .expect(303);
      assert.equal((await gw.session(first.payment.sessionId!))?.status, 'expired');
      await assert.rejects(gw.pay(first.payment.sessionId!), { code: 'session_expired' });
      assert.equal((await OrderModel.findById(first._id).lean())?.status, 'cancelled');
      assert.equal(await onHand(product._id), 3);
    });
  });

  describe('GET /orders/view/:token', () => {
    it("shows each co-op's own IVA, its shipping at its goods' rates", async () => {
      const a = await makeCoop({ shipping: { flatCents: 690, freeOverCents: 0 } });
      const b2 = await makeCoop({ shipping: { flatCents: 500, freeOverCents: 0 } });
      const oil = await makeListedProduct(a, { priceCents: 1000, ivaRate: 4 });
      const bag = await makeListedProduct(b2, { priceCents: 3000, ivaRate: 22 });
      const order = await checkout(browser(app), [oil._id, bag._id]);
      const shareA = await CoopShareModel.findById(`${order._id}:${a._id}`).lean();
      const shareB = await CoopShareModel.findById(`${order._id}:${b2._id}`).lean();
      // 10.00 oil + 6.90 shipping, all at 4%; 30.00 bag + 5.00 shipping, all at 22%.
      assert.deepEqual(shareA?.iva, [{ rate: 4, baseCents: 1625, taxCents: 65 }]);
      assert.deepEqual(shareB?.iva, [{ rate: 22, baseCents: 2869, taxCents: 631 }]);
      assert.deepEqual(order.iva, [
        { rate: 4, cents: 65 },
        { rate: 22, cents: 631 },
      ]);
      const page = await browser(app).get(`/orders/view/${order.viewToken}`).expect(200);
      assert.match(page.text, /imponibile 16,25\s€, imposta 0,65\s€/);
      assert.match(page.text, /imponibile 28,69\s€, imposta 6,31\s€/);
    });
  });

  describe('GET /admin/late-payments', () => {
    it('lists the orders paid after their cancellation with what became of them, linked from the admin menu', async () => {
      const coop = await makeCoop();
      const product = await makeListedProduct(coop, { stock: 3 });
      const order = await checkout(browser(app), [product._id]);
      await OrderModel.updateOne(
        { _id: order._id },
        {
          $set: {
            status: 'cancelled',
            'payment.paidAt': new Date(),
            latePayment: { state: 'refunded', at: new Date(), holdId: new Types.ObjectId(), leaseUntil: new Date(0) },
          },
        },
      );
      const admin = await signedIn(app, (await makeUser({ isAdmin: true })).id);
      const page = await admin.get('/admin/late-payments').expect(200);
      assert.ok(page.text.includes(order.number));
      assert.match(page.text, /Rimborsato per intero/);
      assert.match(page.text, /href="\/admin\/late-payments" aria-current="page"/);
      const buyerPage = await browser(app).get(`/orders/view/${order.viewToken}`).expect(200);
      assert.match(buyerPage.text, /ti abbiamo rimborsato/);
      const other = await signedIn(app, (await makeUser()).id);
      await other.get('/admin/late-payments').expect(403);
    });
  });
});
