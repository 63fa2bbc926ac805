import type { Express } from 'express';
import assert from 'node:assert/strict';
import request from 'supertest';
import { buildApp } from '../support/app';
import { testEngines } from '../support/engines';
import { makePaidOrder, sendStripeEvent } from '../payouts/fixtures';
import { OrderModel } from '../../src/orders/order.model';
import { CoopShareModel } from '../../src/orders/coop-share.model';
import { makePayableCoop, makeUser } from '../support/factories';
import { logIn, type Agent } from '../accounts/helpers';

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('health endpoints', () => {
  let app: Express;
  before(() => {
    app = buildApp().app;
  });

  describe('GET /healthz', () => {
    it('responds 200 while the process is up', async () => {
      const res = await request(app).get('/healthz').expect(200);
      assert.equal(res.body.status, 'ok');
      assert.equal(res.headers['cache-control'], 'no-store');
    });
  });

  describe('GET /readyz', () => {
    it('responds 200 when the database answers', async () => {
      const res = await request(app).get('/readyz').expect(200);
      assert.deepEqual(res.body.checks, { database: 'ok' });
    });

    describe('when the database engine is stopped', () => {
      after(async function () {
        this.timeout(60_000);
        const { db } = testEngines();
        if (!db.running) await db.start();
        await until(async () => (await request(app).get('/readyz')).status === 200, 30_000);
      });

      it('responds 503, pages answer 503 within 5 s, webhooks are not acknowledged, and all recover with nothing lost', async function () {
        this.timeout(60_000);
        const { db } = testEngines();
        // A signed-in visitor: every request of theirs needs the session store (a guest's page
        // views may be answered from memory, see GuestSessionCache).
        const visitor = request.agent(app);
        await logIn(visitor as unknown as Agent, (await makeUser()).email);
        const coop = await makePayableCoop();
        const paid = await makePaidOrder([{ coopId: coop.id, lines: [{ unitCents: 1200, quantity: 2 }] }]);
        await db.stop();

        const ready = await request(app).get('/readyz');
        assert.equal(ready.status, 503);
        assert.equal(ready.body.checks.database, 'down');

        const started = Date.now();
        const page = await visitor.get('/cart').set('Accept', 'text/html');
        assert.equal(page.status, 503);
        assert.ok(Date.now() - started < 5_000, `503 took ${Date.now() - started} ms`);
        assert.match(page.text, /<h1>Servizio momentaneamente non disponibile<\/h1>/);
        assert.equal(page.headers['retry-after'], '5');

        // A Stripe event that arrives now must not be acknowledged, so Stripe delivers it again later.
        const hook = await sendStripeEvent(app, 'checkout.session.completed', {
          id: 'cs_outage',
          object: 'checkout.session',
          payment_status: 'paid',
          metadata: {},
        });
        assert.ok(hook.status >= 500, `webhook answered ${hook.status}`);

        await db.start();
        await until(async () => (await request(app).get('/readyz')).status === 200, 30_000);
        await visitor.get('/cart').expect(200);

        // Nothing of the paid order was lost.
        const order = await OrderModel.findById(paid.orderId).lean();
        assert.equal(order?.status, 'paid');
        assert.equal(order?.totalCents, paid.total);
        assert.ok(order?.payment?.chargeId);
        assert.equal(await CoopShareModel.countDocuments({ order: order!._id }), 1);
      });
    });
  });
});
