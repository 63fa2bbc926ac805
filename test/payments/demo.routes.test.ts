import assert from 'node:assert/strict';
import type { Express } from 'express';
import { browser, buildApp, csrfFrom } from '../support/app';
import { CoopModel } from '../../src/coops/coop.model';
import { OrderModel } from '../../src/orders/order.model';
import { DemoGateway } from '../../src/payments/demo-gateway';
import { expireDemoSessions } from '../../src/payments/jobs';
import type { PaymentEvents } from '../../src/payments/payments.service';
import { TransferModel, transferId } from '../../src/payouts/transfer.model';
import { makeOrder } from './factories';
import { makeCoop, makePayableCoop } from '../support/factories';

describe('demo payment provider', () => {
  let app: Express;
  let demo: DemoGateway;
  let events: PaymentEvents;
  before(() => {
    demo = new DemoGateway();
    ({
      app,
      services: { paymentEvents: events },
    } = buildApp({ payments: demo }));
  });

  async function openSession(order: { orderId: string; number: string }, expiresAt = new Date(Date.now() + 30 * 60_000)) {
    return demo.createCheckoutSession({
      orderId: order.orderId,
      orderNumber: order.number,
      lines: [{ name: 'Miele di castagno', unitAmount: 2000, quantity: 1 }],
      customerEmail: 'buyer@example.test',
      locale: 'it',
      successUrl: `/orders/${order.orderId}?session_id={CHECKOUT_SESSION_ID}`,
      cancelUrl: '/cart',
      expiresAt,
      idempotencyKey: `checkout:${order.orderId}`,
    });
  }

  describe('GET /demo-pay/:sessionId', () => {
    it('shows a page clearly marked as a demo, with Pay and Cancel forms', async () => {
      const coop = await makePayableCoop();
      const order = await makeOrder([coop]);
      const session = await openSession(order);
      assert.equal(session.url, `/demo-pay/${session.id}`);
      const again = await openSession(order);
      assert.equal(again.id, session.id, 'the same idempotency key names the same session');
      const res = await browser(app).get(session.url).expect(200);
      assert.match(res.text, /demo-provider-badge/);
      assert.match(res.text, /action="\/demo-pay\/[^"]+\/pay"/);
      assert.match(res.text, /action="\/demo-pay\/[^"]+\/cancel"/);
      assert.doesNotMatch(res.text, /<script(?![^>]*\bsrc=)/);
    });

    it('answers 404 for an unknown or malformed session', async () => {
      await browser(app).get('/demo-pay/cs_demo_000000000000000000000000').expect(404);
      await browser(app).get('/demo-pay/nope').expect(404);
    });
  });

  describe('POST /demo-pay/:sessionId/pay', () => {
    it('pays through the same handler as a webhook, once, and returns to the order', async () => {
      const coop = await makeCoop();
      const order = await makeOrder([coop]);
      const session = await openSession(order);
      const agent = browser(app);
      const page = await agent.get(session.url).expect(200);
      const token = csrfFrom(page.text);
      const res = await agent.post(`${session.url}/pay`).type('form').send({ _csrf: token }).expect(303);
      assert.equal(res.headers.location, `/orders/${order.orderId}?session_id=${session.id}`);
      await agent.post(`${session.url}/pay`).type('form').send({ _csrf: token }).expect(303);
      const o = await OrderModel.findById(order.orderId).lean();
      assert.equal(o?.status, 'paid');
      assert.equal(o?.payment?.chargeId, (await demo.retrieveCheckoutSession(session.id)).chargeId);
      assert.equal((await TransferModel.findById(transferId(order.orderId, String(coop._id))).lean())?.status, 'waiting_account');
    });

    it('refuses without a CSRF token', async () => {
      const coop = await makePayableCoop();
      const order = await makeOrder([coop]);
      const session = await openSession(order);
      await browser(app).post(`${session.url}/pay`).type('form').send({}).expect(403);
      assert.equal((await OrderModel.findById(order.orderId).lean())?.status, 'pending_payment');
    });

    it('refuses an expired session', async () => {
      const coop = await makePayableCoop();
      const order = await makeOrder([coop]);
      const session = await openSession(order, new Date(Date.now() - 1000));
      const agent = browser(app);
      const page = await agent.get(session.url).expect(200);
      await agent
        .post(`${session.url}/pay`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text) })
        .expect(409);
      assert.equal((await OrderModel.findById(order.orderId).lean())?.status, 'pending_payment');
    });
  });

  describe('reconcileCheckoutSession', () => {
    it('fulfils a paid session whose event never came, once', async () => {
      const coop = await makePayableCoop();
      const order = await makeOrder([coop]);
      const session = await openSession(order);
      assert.equal(await events.reconcileCheckoutSession(session.id), 'unpaid');
      assert.equal((await OrderModel.findById(order.orderId).lean())?.status, 'pending_payment');
      await demo.pay(session.id);
      assert.equal(await events.reconcileCheckoutSession(session.id), 'paid');
      assert.equal(await events.reconcileCheckoutSession(session.id), 'paid');
      assert.equal((await OrderModel.findById(order.orderId).lean())?.status, 'paid');
      assert.equal(await TransferModel.countDocuments({ _id: transferId(order.orderId, String(coop._id)) }), 1);
    });
  });

  describe('the demo expiry sweeper', () => {
    it('ends open sessions past their expiry like checkout.session.expired', async () => {
      const coop = await makePayableCoop();
      const order = await makeOrder([coop]);
      const session = await openSession(order, new Date(Date.now() - 1000));
      assert.ok((await expireDemoSessions(demo, events)) >= 1);
      assert.equal((await demo.session(session.id))?.status, 'expired');
      assert.equal((await OrderModel.findById(order.orderId).lean())?.status, 'cancelled');
    });
  });

  describe('POST /demo-pay/:sessionId/cancel', () => {
    it('returns to the cancel URL', async () => {
      const coop = await makePayableCoop();
      const order = await makeOrder([coop]);
      const session = await openSession(order);
      const agent = browser(app);
      const page = await agent.get(session.url).expect(200);
      const res = await agent
        .post(`${session.url}/cancel`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text) })
        .expect(303);
      assert.equal(res.headers.location, '/cart');
    });
  });

  describe('co-op onboarding stand-in', () => {
    it('makes the account ready and sends the transfers waiting for it', async () => {
      const coop = await makeCoop();
      const account = await demo.createConnectedAccount({
        coopId: String(coop._id),
        email: 'coop@example.test',
        idempotencyKey: `account:${String(coop._id)}`,
      });
      assert.equal(account.transfersActive, false);
      await CoopModel.updateOne({ _id: coop._id }, { $set: { stripeAccountId: account.id } });
      const order = await makeOrder([coop]);
      const session = await openSession(order);
      const agent = browser(app);
      const pay = await agent.get(session.url).expect(200);
      await agent
        .post(`${session.url}/pay`)
        .type('form')
        .send({ _csrf: csrfFrom(pay.text) })
        .expect(303);
      const paid = await agent.get(session.url).expect(200);
      assert.match(paid.text, /href="\/orders\//, 'a paid session links back to the order');
      const id = transferId(order.orderId, String(coop._id));
      assert.equal((await TransferModel.findById(id).lean())?.status, 'waiting_account');

      const link = await demo.createOnboardingLink({
        accountId: account.id,
        refreshUrl: '/workspace/refresh',
        returnUrl: '/workspace/payouts',
      });
      const page = await agent.get(link.url).expect(200);
      assert.match(page.text, /demo-provider-badge/);
      const t = /name="t" value="([a-f0-9]+)"/.exec(page.text)![1];
      const stale = await agent.get(`/demo-connect/${account.id}?t=${'0'.repeat(32)}`).expect(303);
      assert.equal(stale.headers.location, '/workspace/refresh');
      await agent
        .post(`/demo-connect/${account.id}/complete`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text) })
        .expect(404);
      const done = await agent
        .post(`/demo-connect/${account.id}/complete`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), t })
        .expect(303);
      assert.equal(done.headers.location, '/workspace/payouts');
      const c = await CoopModel.findById(coop._id).lean();
      assert.equal(c?.payouts?.transfersActive, true);
      const sent = await TransferModel.findById(id).lean();
      assert.equal(sent?.status, 'sent');
      assert.match(sent?.stripeTransferId ?? '', /^tr_demo_/);
      // The onboarding link is used up (it leads to the refresh URL); the dashboard has its own.
      await agent.get(link.url).expect(303);
      await agent.get('/demo-connect/acct_demo_000000000000000000000000?t=' + '0'.repeat(32)).expect(404);
      const dash = await demo.createDashboardLink(account.id);
      await agent.get(dash.url).expect(200);
    });
  });
});
