import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import { buildApp } from '../support/app';
import { CoopModel } from '../../src/coops/coop.model';
import { CoopShareModel } from '../../src/orders/coop-share.model';
import { OrderModel } from '../../src/orders/order.model';
import { StripeEventModel } from '../../src/payments/stripe-event.model';
import type { EventBus } from '../../src/platform/events';
import { signWebhookPayload } from '../../src/payments/stripe-webhooks';
import { TransferModel, transferId } from '../../src/payouts/transfer.model';
import { LedgerEntryModel } from '../../src/payouts/ledger.model';
import { makeOrder, rand, sessionObject, signedEvent } from './factories';
import { makePayableCoop } from '../support/factories';

describe('Stripe webhooks', () => {
  let app: Express;
  let events: EventBus;
  before(() => {
    ({
      app,
      services: { events },
    } = buildApp());
  });

  const post = (path: string, payload: string, signature?: string) => {
    const r = request(app).post(path).set('Content-Type', 'application/json');
    return (signature ? r.set('Stripe-Signature', signature) : r).send(payload);
  };

  describe('POST /webhooks/stripe', () => {
    describe('with a bad or missing signature', () => {
      it('responds 400 and writes nothing', async () => {
        const { event, payload } = signedEvent('checkout.session.completed', { id: 'cs_x' });
        await post('/webhooks/stripe', payload).expect(400);
        const forged = signedEvent('checkout.session.completed', { id: 'cs_x' }, { secret: 'whsec_wrong' });
        await post('/webhooks/stripe', payload, forged.signature).expect(400);
        // Signed for the Connect endpoint, sent to the platform's.
        const other = signedEvent('account.updated', { id: 'acct_x' }, { secret: 'whsec_test_connect' });
        await post('/webhooks/stripe', other.payload, other.signature).expect(400);
        assert.equal(await StripeEventModel.exists({ _id: event.id }), null);
        assert.equal(await StripeEventModel.exists({ _id: other.event.id }), null);
      });

      it('refuses a payload changed after signing', async () => {
        const { payload, signature } = signedEvent('checkout.session.completed', { id: 'cs_y', amount_total: 100 });
        await post('/webhooks/stripe', payload.replace('"amount_total":100', '"amount_total":1'), signature).expect(400);
      });

      it('refuses a signature older than five minutes', async () => {
        const created = Math.floor(Date.now() / 1000) - 3600;
        const { event } = signedEvent('ping', {}, { created });
        const payload = JSON.stringify(event);
        await post('/webhooks/stripe', payload, signWebhookPayload(payload, 'whsec_test_platform', created)).expect(400);
      });
    });

    describe('checkout.session.completed, paid, before the buyer visits the order page', () => {
      it('marks the order paid and sends each share once, even when replayed', async () => {
        const coopA = await makePayableCoop();
        const coopB = await makePayableCoop();
        const order = await makeOrder([coopA, coopB]);
        const { payload, signature, event } = signedEvent(
          'checkout.session.completed',
          sessionObject({ orderId: order.orderId, number: order.number, amount: order.totalCents, paid: true }),
        );
        const first = await post('/webhooks/stripe', payload, signature).expect(200);
        assert.equal(first.body.outcome, 'processed');
        const again = await post('/webhooks/stripe', payload, signature).expect(200);
        assert.equal(again.body.outcome, 'duplicate');

        const o = await OrderModel.findById(order.orderId).lean();
        assert.equal(o?.status, 'paid');
        const transfers = await TransferModel.find({ order: o!._id }).lean();
        assert.equal(transfers.length, 2);
        assert.ok(transfers.every((t) => t.status === 'sent' && /^tr_/.test(t.stripeTransferId ?? '') && t.amount === 1800));
        assert.equal(await LedgerEntryModel.countDocuments({ _id: transferId(order.orderId, String(coopA._id)) }), 1);
        const stored = await StripeEventModel.findById(event.id).lean();
        assert.equal(stored?.status, 'done');
      });
    });

    describe('checkout.session.completed, unpaid', () => {
      it('does not fulfil the order', async () => {
        const coop = await makePayableCoop();
        const order = await makeOrder([coop]);
        const { payload, signature } = signedEvent(
          'checkout.session.completed',
          sessionObject({ orderId: order.orderId, number: order.number, amount: order.totalCents, paid: false }),
        );
        await post('/webhooks/stripe', payload, signature).expect(200);
        assert.equal((await OrderModel.findById(order.orderId).lean())?.status, 'pending_payment');
        assert.equal(await TransferModel.countDocuments({ _id: transferId(order.orderId, String(coop._id)) }), 0);
      });
    });

    describe('checkout.session.async_payment_succeeded', () => {
      it('marks the order paid', async () => {
        const coop = await makePayableCoop();
        const order = await makeOrder([coop]);
        const { payload, signature } = signedEvent(
          'checkout.session.async_payment_succeeded',
          sessionObject({ orderId: order.orderId, number: order.number, amount: order.totalCents, paid: true }),
        );
        await post('/webhooks/stripe', payload, signature).expect(200);
        assert.equal((await OrderModel.findById(order.orderId).lean())?.status, 'paid');
      });
    });

    describe('checkout.session.expired', () => {
      it('releases the order', async () => {
        const coop = await makePayableCoop();
        const order = await makeOrder([coop]);
        const { payload, signature } = signedEvent(
          'checkout.session.expired',
          sessionObject({ orderId: order.orderId, number: order.number, amount: order.totalCents, paid: false, status: 'expired' }),
        );
        await post('/webhooks/stripe', payload, signature).expect(200);
        assert.equal((await OrderModel.findById(order.orderId).lean())?.status, 'cancelled');
      });

      it('arriving late, after the payment, never moves the order back', async () => {
        const coop = await makePayableCoop();
        const order = await makeOrder([coop]);
        const session = sessionObject({ orderId: order.orderId, number: order.number, amount: order.totalCents, paid: true });
        const paid = signedEvent('checkout.session.completed', session);
        const expired = signedEvent('checkout.session.expired', { ...session, status: 'expired' }, { created: paid.event.created - 10 });
        await post('/webhooks/stripe', paid.payload, paid.signature).expect(200);
        await post('/webhooks/stripe', expired.payload, expired.signature).expect(200);
        assert.equal((await OrderModel.findById(order.orderId).lean())?.status, 'paid');
        assert.equal((await CoopShareModel.findById(order.shareIds[0]).lean())?.status, 'paid');
      });
    });

    describe('an event type we do not handle', () => {
      it('is stored, answered 200 and told to the listeners of its type', async () => {
        const seen: string[] = [];
        const off = events.on('stripe.charge.refunded', (e) => {
          seen.push(e.id);
        });
        try {
          const { payload, signature, event } = signedEvent('charge.refunded', { id: `ch_${rand()}`, amount_refunded: 500 });
          await post('/webhooks/stripe', payload, signature).expect(200);
          await post('/webhooks/stripe', payload, signature).expect(200);
          assert.deepEqual(seen, [event.id]);
          const stored = await StripeEventModel.findById(event.id).lean();
          assert.equal(stored?.type, 'charge.refunded');
          assert.match(stored?.payload ?? '', /amount_refunded/);
          const unknown = signedEvent('radar.early_fraud_warning.created', { id: 'issfr_1' });
          await post('/webhooks/stripe', unknown.payload, unknown.signature).expect(200);
        } finally {
          off();
        }
      });
    });

    describe('when a listener fails', () => {
      it('answers 500, then processes the redelivery', async () => {
        let calls = 0;
        const off = events.on('stripe.charge.dispute.created', () => {
          calls++;
          if (calls === 1) throw new Error('boom');
        });
        try {
          const { payload, signature, event } = signedEvent('charge.dispute.created', { id: `dp_${rand()}` });
          await post('/webhooks/stripe', payload, signature).expect(500);
          assert.equal((await StripeEventModel.findById(event.id).lean())?.status, 'failed');
          await post('/webhooks/stripe', payload, signature).expect(200);
          assert.equal((await StripeEventModel.findById(event.id).lean())?.status, 'done');
          assert.equal(calls, 2);
        } finally {
          off();
        }
      });
    });

    describe('transfer.reversed', () => {
      it('records the amount reversed, never less than before', async () => {
        const coop = await makePayableCoop();
        const order = await makeOrder([coop]);
        const paid = signedEvent(
          'checkout.session.completed',
          sessionObject({ orderId: order.orderId, number: order.number, amount: order.totalCents, paid: true }),
        );
        await post('/webhooks/stripe', paid.payload, paid.signature).expect(200);
        const id = transferId(order.orderId, String(coop._id));
        const t = await TransferModel.findById(id).lean();
        const obj = (reversed: number) => ({
          id: t!.stripeTransferId,
          object: 'transfer',
          amount: 1800,
          amount_reversed: reversed,
          metadata: { orderId: order.orderId, coopId: String(coop._id) },
        });
        const full = signedEvent('transfer.reversed', obj(1800));
        const partialLate = signedEvent('transfer.updated', obj(600));
        await post('/webhooks/stripe', full.payload, full.signature).expect(200);
        await post('/webhooks/stripe', partialLate.payload, partialLate.signature).expect(200);
        const after = await TransferModel.findById(id).lean();
        assert.equal(after?.amountReversed, 1800);
        assert.equal(after?.status, 'reversed');
      });
    });
  });

  describe('POST /webhooks/stripe/connect', () => {
    const accountObject = (id: string, active: boolean) => ({
      id,
      object: 'account',
      capabilities: { transfers: active ? 'active' : 'inactive' },
      payouts_enabled: active,
      details_submitted: active,
      requirements: {
        currently_due: active ? [] : ['external_account'],
        past_due: [],
        disabled_reason: active ? null : 'requirements.past_due',
      },
    });

    describe('account.updated saying the account can receive transfers', () => {
      it('updates the co-op and sends the transfers that waited for it', async () => {
        const coop = await makePayableCoop({ payouts: { transfersActive: false, payoutsEnabled: false } });
        const order = await makeOrder([coop]);
        const paid = signedEvent(
          'checkout.session.completed',
          sessionObject({ orderId: order.orderId, number: order.number, amount: order.totalCents, paid: true }),
        );
        await post('/webhooks/stripe', paid.payload, paid.signature).expect(200);
        const id = transferId(order.orderId, String(coop._id));
        assert.equal((await TransferModel.findById(id).lean())?.status, 'waiting_account');

        const now = Math.floor(Date.now() / 1000);
        const ready = signedEvent('account.updated', accountObject(coop.stripeAccountId!, true), {
          secret: 'whsec_test_connect',
          account: coop.stripeAccountId!,
          created: now,
        });
        const stale = signedEvent('account.updated', accountObject(coop.stripeAccountId!, false), {
          secret: 'whsec_test_connect',
          account: coop.stripeAccountId!,
          created: now - 60,
        });
        await post('/webhooks/stripe/connect', ready.payload, ready.signature).expect(200);
        await post('/webhooks/stripe/connect', stale.payload, stale.signature).expect(200);

        const c = await CoopModel.findById(coop._id).lean();
        assert.equal(c?.payouts?.transfersActive, true);
        assert.equal(c?.payouts?.payoutsEnabled, true);
        assert.equal((await TransferModel.findById(id).lean())?.status, 'sent');
      });
    });

    describe('capability.updated for transfers', () => {
      it('updates the flag', async () => {
        const coop = await makePayableCoop({ payouts: { transfersActive: false, payoutsEnabled: false } });
        const ev = signedEvent(
          'capability.updated',
          { id: 'transfers', object: 'capability', account: coop.stripeAccountId, status: 'active' },
          { secret: 'whsec_test_connect', account: coop.stripeAccountId! },
        );
        await post('/webhooks/stripe/connect', ev.payload, ev.signature).expect(200);
        assert.equal((await CoopModel.findById(coop._id).lean())?.payouts?.transfersActive, true);
      });
    });

    describe('signed with the platform secret', () => {
      it('responds 400', async () => {
        const ev = signedEvent('account.updated', accountObject('acct_x', true));
        await post('/webhooks/stripe/connect', ev.payload, ev.signature).expect(400);
      });
    });
  });
});
