import type { Express } from 'express';
import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { buildApp, csrfFrom, MemoryMailer } from '../support/app';
import { shareId } from '../../src/orders';
import { CoopShareModel } from '../../src/orders/coop-share.model';
import { OrderModel } from '../../src/orders/order.model';
import { memberOf, suffix } from './workspace.fixtures';
import { makeCoop } from '../support/factories';

/** A paid order with lines from two co-ops, and the share of each. */
async function paidOrder(coop: { id: string; name: string }, other: { id: string; name: string }, delivery: 'ship' | 'pickup' = 'ship') {
  const s = suffix();
  const line = (coopId: string, name: string, cents: number) => ({
    product: new Types.ObjectId(),
    sku: 'default',
    coop: new Types.ObjectId(coopId),
    name: { it: name, en: name },
    variantLabel: { it: '', en: '' },
    unitCents: cents,
    quantity: 2,
    ivaRate: 10,
    lineCents: cents * 2,
  });
  const order = await OrderModel.create({
    number: `FIL-2026-${s}`,
    status: 'paid',
    buyer: { email: `buyer-${s}@example.test`, locale: 'it' },
    address: { name: 'Anna Rossi', line1: 'Via Roma 1', postalCode: '00100', city: 'Roma', country: 'IT' },
    lines: [line(coop.id, `Olio nostro ${s}`, 1500), line(other.id, `Borsa altrui ${s}`, 4000)],
    subtotalCents: 11000,
    shippingCents: 1380,
    totalCents: 12380,
    ...({ viewToken: `token-${s}`, viewTokenHash: `hash-${s}` } as Record<string, string>),
    payment: { paymentIntentId: `pi_secret_${s}`, chargeId: `ch_secret_${s}` },
  });
  const share = (c: { id: string; name: string }, subtotal: number) =>
    CoopShareModel.create({
      _id: shareId(order._id, c.id),
      order: order._id,
      orderNumber: order.number,
      coop: c.id,
      coopName: c.name,
      delivery,
      subtotalCents: subtotal,
      shippingCents: 690,
      commissionBps: 1000,
      commissionCents: subtotal / 10,
      netCents: subtotal + 690 - subtotal / 10,
      status: 'paid',
    });
  await share(coop, 3000);
  await share(other, 8000);
  return { order, id: shareId(order._id, coop.id), otherId: shareId(order._id, other.id), s };
}

describe('co-op workspace fulfilment', () => {
  let app: Express;
  let mailer: MemoryMailer;
  before(() => {
    mailer = new MemoryMailer();
    app = buildApp({ mailer }).app;
  });

  async function setup(delivery: 'ship' | 'pickup' = 'ship') {
    const coop = await makeCoop();
    const other = await makeCoop();
    const o = await paidOrder(coop, other, delivery);
    const { agent } = await memberOf(app, coop.id, 'staff');
    const page = await agent.get(`/workspace/${coop.slug}/orders/${o.id}`).expect(200);
    const post = (status: string, extra: Record<string, string> = {}) =>
      agent
        .post(`/workspace/${coop.slug}/orders/${o.id}/status`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), status, ...extra });
    return { coop, other, agent, page, post, ...o };
  }
  const mailsTo = (email: string) => mailer.sent.filter((m) => m.to === email);

  describe('GET /workspace/:coopSlug/orders/:shareId', () => {
    it("shows only the co-op's own lines and no payment details", async () => {
      const { page, s } = await setup();
      assert.match(page.text, new RegExp(`Olio nostro ${s}`));
      assert.doesNotMatch(page.text, new RegExp(`Borsa altrui ${s}`));
      assert.doesNotMatch(page.text, /pi_secret|ch_secret/);
      assert.match(page.text, /Via Roma 1/);
    });

    it('lists the share among the orders to fulfil', async () => {
      const { agent, coop, order } = await setup();
      const res = await agent.get(`/workspace/${coop.slug}/orders`).expect(200);
      assert.match(res.text, new RegExp(order.number));
    });
  });

  describe('POST /workspace/:coopSlug/orders/:shareId/status', () => {
    it('moves to preparing and emails the buyer', async () => {
      const { post, id, order } = await setup();
      await post('preparing').expect(303);
      assert.equal((await CoopShareModel.findById(id).lean())?.status, 'preparing');
      const mails = mailsTo(order.buyer.email);
      assert.equal(mails.length, 1);
      assert.match(mails[0]!.subject, /in preparazione/);
    });

    describe('when "shipped" is submitted twice', () => {
      it('sends one email, with the carrier and tracking number', async () => {
        const { post, id, order } = await setup();
        await post('shipped', { carrier: 'BRT', trackingNumber: 'AB123' }).expect(303);
        await post('shipped', { carrier: 'BRT', trackingNumber: 'AB123' }).expect(303);
        await Promise.all([
          post('shipped', { carrier: 'BRT', trackingNumber: 'AB123' }),
          post('shipped', { carrier: 'BRT', trackingNumber: 'AB123' }),
        ]);
        assert.equal((await CoopShareModel.findById(id).lean())?.status, 'shipped');
        const mails = mailsTo(order.buyer.email);
        assert.equal(mails.length, 1);
        assert.match(mails[0]!.text, /BRT/);
        assert.match(mails[0]!.text, /AB123/);
      });
    });

    describe('without a carrier', () => {
      it('responds 422 and leaves the share as it was', async () => {
        const { post, id } = await setup();
        const res = await post('shipped', { carrier: '' }).expect(422);
        assert.match(res.text, /id="f-carrier"[^>]*aria-invalid="true"/);
        assert.equal((await CoopShareModel.findById(id).lean())?.status, 'paid');
      });
    });

    describe('from delivered back to preparing', () => {
      it('responds 409 and the share stays delivered', async () => {
        const { post, id, order } = await setup();
        await post('shipped', { carrier: 'SDA' }).expect(303);
        await post('delivered').expect(303);
        await post('preparing').expect(409);
        assert.equal((await CoopShareModel.findById(id).lean())?.status, 'delivered');
        assert.equal(mailsTo(order.buyer.email).length, 2);
      });
    });

    describe('for a pickup order', () => {
      it('goes ready for pickup then collected, and refuses shipping', async () => {
        const { post, id } = await setup('pickup');
        await post('shipped', { carrier: 'BRT' }).expect(409);
        await post('ready_for_pickup').expect(303);
        await post('collected').expect(303);
        assert.equal((await CoopShareModel.findById(id).lean())?.status, 'collected');
      });
    });
  });

  describe('a member of the other co-op in the same order', () => {
    it("gets 404 for this co-op's share, even under its own workspace, and nothing changes", async () => {
      const { coop, other, id, order } = await setup();
      const { agent } = await memberOf(app, other.id, 'owner');
      await agent.get(`/workspace/${coop.slug}/orders/${id}`).expect(404);
      const own = await agent.get(`/workspace/${other.slug}/orders`).expect(200);
      const token = csrfFrom((await agent.get(`/workspace/${other.slug}/goods/new`).expect(200)).text);
      await agent.get(`/workspace/${other.slug}/orders/${id}`).expect(404);
      await agent.get(`/workspace/${other.slug}/orders/${id}/slip`).expect(404);
      await agent.post(`/workspace/${other.slug}/orders/${id}/status`).type('form').send({ _csrf: token, status: 'preparing' }).expect(404);
      await agent.post(`/workspace/${coop.slug}/orders/${id}/status`).type('form').send({ _csrf: token, status: 'preparing' }).expect(404);
      assert.equal((await CoopShareModel.findById(id).lean())?.status, 'paid');
      assert.equal(mailsTo(order.buyer.email).length, 0);
      assert.match(own.text, new RegExp(order.number));
    });
  });

  describe('GET /workspace/:coopSlug/orders/:shareId/slip', () => {
    it('is a printable page without the site layout', async () => {
      const { agent, coop, id, s } = await setup();
      const res = await agent.get(`/workspace/${coop.slug}/orders/${id}/slip`).expect(200);
      assert.match(res.text, /Distinta dell&#39;ordine/);
      assert.match(res.text, new RegExp(`Olio nostro ${s}`));
      assert.doesNotMatch(res.text, /site-header/);
      assert.doesNotMatch(res.text, /<script(?![^>]*\bsrc=)[^>]*>/);
    });
  });
});
