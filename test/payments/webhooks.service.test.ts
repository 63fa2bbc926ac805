import assert from 'node:assert/strict';
import express from 'express';
import request from 'supertest';
import { testConfig } from '../support/app';
import { createLogger } from '../../src/platform/logger';
import { createPaymentGateway } from '../../src/payments';
import { EventBus } from '../../src/platform/events';
import { createPaymentEvents } from '../../src/payments/payments.service';
import { webhookRoutes } from '../../src/payments/payments.routes';
import { StripeEventModel } from '../../src/payments/stripe-event.model';
import { rand, sessionObject, signedEvent } from './factories';
import type { Config } from '../../src/platform/config';
import type { PaymentGateway } from '../../src/payments/gateway';

describe('payment events', () => {
  const logger = createLogger('silent', false);
  let config: Config;
  let payments: PaymentGateway;
  before(() => {
    config = testConfig();
    payments = createPaymentGateway(config);
  });

  /** Orders stubbed: a bus whose listeners record what payments told them. */
  function stubOrders() {
    const calls: { fn: string; input: unknown }[] = [];
    const bus = new EventBus();
    bus.on('payment.checkout_paid', (input) => void calls.push({ fn: 'markOrderPaid', input }));
    bus.on('payment.checkout_ended', (input) => void calls.push({ fn: 'releaseOrder', input }));
    return { calls, bus, orders: (b = bus) => createPaymentEvents({ payments, logger, events: b }) };
  }

  describe('handleCheckoutCompleted', () => {
    it('passes the amount, currency, payment intent and charge to markOrderPaid', async () => {
      const { calls, orders } = stubOrders();
      const events = orders();
      const r = await events.handleCheckoutCompleted({
        sessionId: 'cs_1',
        orderId: 'o1',
        paymentStatus: 'paid',
        amountTotal: 4200,
        currency: 'eur',
        paymentIntentId: 'pi_1',
        chargeId: 'ch_1',
      });
      assert.equal(r, 'paid');
      assert.deepEqual(calls, [
        {
          fn: 'markOrderPaid',
          input: { orderId: 'o1', sessionId: 'cs_1', paymentIntentId: 'pi_1', chargeId: 'ch_1', amount: 4200, currency: 'eur' },
        },
      ]);
    });

    it('asks Stripe for the charge when the event does not carry it', async () => {
      const { calls, orders } = stubOrders();
      const events = orders();
      await events.handleCheckoutCompleted({
        sessionId: 'cs_2',
        orderId: 'o2',
        paymentStatus: 'paid',
        amountTotal: 100,
        currency: 'eur',
        paymentIntentId: 'pi_2',
      });
      assert.equal(calls.length, 1);
    });

    it('does nothing for an unpaid session', async () => {
      const { calls, orders } = stubOrders();
      const events = orders();
      assert.equal(
        await events.handleCheckoutCompleted({
          sessionId: 'cs_3',
          orderId: 'o3',
          paymentStatus: 'unpaid',
          amountTotal: 100,
          currency: 'eur',
        }),
        'unpaid',
      );
      assert.equal(calls.length, 0);
    });
  });

  describe('POST /webhooks/stripe delivered 10 times at once', () => {
    it('processes the event once', async () => {
      const { calls, orders } = stubOrders();
      const app = express().use(webhookRoutes({ config, logger, paymentEvents: orders() }));
      const ev = signedEvent('checkout.session.completed', {
        ...sessionObject({ orderId: `o_${rand()}`, number: 'N', amount: 500, paid: true }),
        payment_intent: null,
      });
      const res = await Promise.all(
        Array.from({ length: 10 }, () =>
          request(app)
            .post('/webhooks/stripe')
            .set('Content-Type', 'application/json')
            .set('Stripe-Signature', ev.signature)
            .send(ev.payload),
        ),
      );
      assert.ok(res.every((r) => r.status === 200));
      assert.equal(res.filter((r) => r.body.outcome === 'processed').length, 1);
      assert.equal(calls.filter((c) => c.fn === 'markOrderPaid').length, 1);
    });
  });

  describe('POST /webhooks/stripe with slow handlers', () => {
    it('answers 200 within its budget and finishes in the background', async () => {
      const { calls, bus, orders } = stubOrders();
      const app = express().use(webhookRoutes({ config, logger, paymentEvents: orders() }, { budgetMs: 100 }));
      let finish: () => void = () => undefined;
      const slow = new Promise<void>((r) => {
        finish = r;
      });
      const off = bus.on('stripe.checkout.session.expired', () => slow);
      try {
        const ev = signedEvent(
          'checkout.session.expired',
          sessionObject({ orderId: `o_${rand()}`, number: 'N', amount: 1, paid: false, status: 'expired' }),
        );
        const started = Date.now();
        const res = await request(app)
          .post('/webhooks/stripe')
          .set('Content-Type', 'application/json')
          .set('Stripe-Signature', ev.signature)
          .send(ev.payload)
          .expect(200);
        assert.equal(res.body.outcome, 'deferred');
        assert.ok(Date.now() - started < 2_000);
        assert.equal(calls.length, 1);
        finish();
        for (let i = 0; i < 50 && (await StripeEventModel.findById(ev.event.id).lean())?.status !== 'done'; i++)
          await new Promise((r) => setTimeout(r, 20));
        assert.equal((await StripeEventModel.findById(ev.event.id).lean())?.status, 'done');
      } finally {
        off();
      }
    });
  });

  describe('retryStoredEvents', () => {
    it('runs a failed event again from its stored payload, once', async () => {
      const { calls, bus, orders } = stubOrders();
      const app = express().use(webhookRoutes({ config, logger, paymentEvents: orders() }));
      let fail = true;
      const off = bus.on('stripe.checkout.session.async_payment_failed', () => {
        if (fail) throw new Error('database hiccup');
      });
      try {
        const ev = signedEvent(
          'checkout.session.async_payment_failed',
          sessionObject({ orderId: `o_${rand()}`, number: 'N', amount: 1, paid: false }),
        );
        await request(app)
          .post('/webhooks/stripe')
          .set('Content-Type', 'application/json')
          .set('Stripe-Signature', ev.signature)
          .send(ev.payload)
          .expect(500);
        fail = false;
        const events = orders();
        assert.ok((await events.retryStoredEvents()) >= 1);
        assert.equal((await StripeEventModel.findById(ev.event.id).lean())?.status, 'done');
        await events.retryStoredEvents();
        assert.equal(calls.filter((c) => c.fn === 'releaseOrder').length, 2, 'once on the failed delivery, once on the retry');
      } finally {
        off();
      }
    });
  });
});
