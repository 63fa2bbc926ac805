import type { Express } from 'express';
import assert from 'node:assert/strict';
import { buildApp } from '../support/app';
import { shareId, type ShareStatus } from '../../src/orders';
import { CoopShareModel } from '../../src/orders/coop-share.model';
import { OrderModel } from '../../src/orders/order.model';
import { TransferModel, transferId, type TransferStatus } from '../../src/payouts/transfer.model';
import { homeAtAGlance } from '../../src/workspace/workspace.service';
import { memberOf, suffix, tokenFor } from './workspace.fixtures';
import { makeCoop, makePayableCoop, makeProduct } from '../support/factories';

const DAY = 86_400_000;

/** An order of `goodsCents` for the co-op and its share, placed at `at`, with an optional transfer. */
async function share(
  coopId: string,
  o: { goodsCents: number; status: ShareStatus; at: Date; transfer?: TransferStatus; manualHold?: boolean; heldUntil?: Date },
) {
  const s = suffix();
  const order = await OrderModel.create({
    number: `FIL-2026-${s}`,
    status: 'paid',
    buyer: { email: `b-${s}@example.test`, locale: 'it' },
    lines: [],
    subtotalCents: o.goodsCents,
    shippingCents: 0,
    totalCents: o.goodsCents,
    ...({ viewToken: `t-${s}`, viewTokenHash: `h-${s}` } as Record<string, string>),
  });
  const doc = await CoopShareModel.create({
    _id: shareId(order._id, coopId),
    order: order._id,
    orderNumber: order.number,
    coop: coopId,
    coopName: 'C',
    delivery: 'ship',
    subtotalCents: o.goodsCents,
    shippingCents: 500,
    commissionBps: 1000,
    commissionCents: o.goodsCents / 10,
    netCents: o.goodsCents + 500 - o.goodsCents / 10,
    status: o.status,
    createdAt: o.at,
  });
  if (o.transfer)
    await TransferModel.create({
      _id: transferId(String(order._id), coopId),
      order: order._id,
      orderNumber: order.number,
      coop: coopId,
      share: doc._id,
      amount: doc.netCents,
      status: o.transfer,
      manualHold: !!o.manualHold,
      heldUntil: o.heldUntil ?? null,
    });
  return doc;
}

describe('the co-op workspace home at a glance', () => {
  let app: Express;
  before(() => {
    app = buildApp().app;
  });

  // Mid-month, so "this month" and "last month" are unambiguous.
  const now = new Date(Date.UTC(2026, 10, 15, 10));
  const thisMonth = (d: number) => new Date(Date.UTC(2026, 10, d, 9));
  const lastMonth = (d: number) => new Date(Date.UTC(2026, 9, d, 9));

  async function seeded() {
    const coop = await makePayableCoop();
    const first = await share(coop.id, { goodsCents: 3000, status: 'paid', at: thisMonth(2), transfer: 'failed' });
    const second = await share(coop.id, { goodsCents: 900, status: 'preparing', at: thisMonth(5), transfer: 'held', manualHold: true });
    const third = await share(coop.id, { goodsCents: 1200, status: 'paid', at: thisMonth(9) });
    const fourth = await share(coop.id, { goodsCents: 2000, status: 'paid', at: thisMonth(14) });
    const shipped = await share(coop.id, {
      goodsCents: 1500,
      status: 'shipped',
      at: thisMonth(1),
      transfer: 'held',
      heldUntil: new Date(now.getTime() + 3 * DAY),
    });
    await share(coop.id, { goodsCents: 9900, status: 'pending_payment', at: thisMonth(3) });
    await share(coop.id, { goodsCents: 8800, status: 'cancelled', at: thisMonth(4) });
    await share(coop.id, { goodsCents: 4000, status: 'delivered', at: lastMonth(20), transfer: 'sent' });
    await share(coop.id, { goodsCents: 7000, status: 'delivered', at: new Date(Date.UTC(2026, 8, 20)), transfer: 'sent' });
    // Another co-op's share is never counted.
    await share((await makeCoop()).id, { goodsCents: 5000, status: 'paid', at: thisMonth(6) });
    // Stock: one variant on sale with 2 left (low), one with 10; a draft with none is not counted.
    await makeProduct(coop, {
      variants: [
        { sku: 'small', priceCents: 500, stock: 2 },
        { sku: 'big', priceCents: 900, stock: 10 },
      ],
    });
    await makeProduct(coop, { published: false, stock: 0 });
    return { coop, first, second, third, fourth, shipped };
  }

  describe('homeAtAGlance, for a manager', () => {
    it('gives the exact orders to ship, month sales, next payout, blockers and low stock', async () => {
      const { coop, first, second, third, fourth, shipped } = await seeded();
      const g = await homeAtAGlance({ id: coop.id, role: 'manager' }, now);
      assert.equal(g.toShip.count, 4);
      assert.deepEqual(
        g.toShip.first.map((s) => s.orderNumber),
        [first.orderNumber, second.orderNumber, third.orderNumber],
      );
      assert.ok(!g.toShip.first.some((s) => s.orderNumber === fourth.orderNumber));
      assert.deepEqual(g.sales, {
        thisMonth: { amountCents: 3000 + 900 + 1200 + 2000 + 1500, count: 5 },
        lastMonth: { amountCents: 4000, count: 1 },
      });
      assert.equal(g.payout!.amountCents, first.netCents + second.netCents + shipped.netCents);
      assert.equal(g.payout!.count, 3);
      assert.deepEqual(g.payout!.due, { kind: 'now' });
      assert.deepEqual(g.payout!.blockers, ['heldByAdmin', 'failed']);
      assert.equal(g.lowStock, 1);
      assert.deepEqual(g.goods, { published: 1, drafts: 1 });
    });

    it('names the payout account and the approval as blockers, and the hold end as the date', async () => {
      const coop = await makeCoop({ status: 'pending' });
      const until = new Date(now.getTime() + 5 * DAY);
      await share(coop.id, { goodsCents: 1000, status: 'shipped', at: thisMonth(3), transfer: 'held', heldUntil: until });
      const g = await homeAtAGlance({ id: coop.id, role: 'owner' }, now);
      assert.deepEqual(g.payout!.due, { kind: 'date', at: until });
      assert.deepEqual(g.payout!.blockers, ['notApproved', 'account_not_connected']);
      assert.equal(g.payout!.amountCents, 1000 + 500 - 100);
    });
  });

  describe('homeAtAGlance, for staff', () => {
    it('gives the orders to ship and nothing about money', async () => {
      const { coop } = await seeded();
      const g = await homeAtAGlance({ id: coop.id, role: 'staff' }, now);
      assert.equal(g.toShip.count, 4);
      assert.equal(g.sales, null);
      assert.equal(g.payout, null);
      assert.equal(g.lowStock, null);
    });
  });

  describe('GET /workspace/:coopSlug', () => {
    it('shows a manager the day’s work: orders to ship linked, sales, next payout and what blocks it', async () => {
      const coop = await makeCoop();
      const at = new Date();
      const a = await share(coop.id, { goodsCents: 2500, status: 'paid', at, transfer: 'waiting_account' });
      await share(coop.id, { goodsCents: 1000, status: 'delivered', at, transfer: 'waiting_account' });
      const { agent } = await memberOf(app, coop.id, 'manager');
      const res = await agent.get(`/workspace/${coop.slug}`).expect(200);
      assert.match(res.text, /Ordini da spedire<\/h2>\s*<p class="figure">1<\/p>/);
      assert.match(res.text, new RegExp(`href="/workspace/${coop.slug}/orders/${a._id}">Ordine ${a.orderNumber}</a>`));
      assert.match(res.text, /Vendite di questo mese<\/h2>\s*<p class="figure">35,00\s€<\/p>/);
      assert.match(res.text, /2 ordini/);
      const net = a.netCents + (1000 + 500 - 100);
      assert.match(
        res.text,
        new RegExp(`Prossimo pagamento</h2>\\s*<p class="figure">${(net / 100).toFixed(2).replace('.', ',')}\\s€</p>`),
      );
      assert.match(res.text, /Nessun conto per i pagamenti collegato/);
      assert.match(res.text, /In esaurimento<\/h2>\s*<p class="figure">0<\/p>/);
    });

    it('shows staff the orders to ship but no money', async () => {
      const coop = await makePayableCoop();
      await share(coop.id, { goodsCents: 2500, status: 'preparing', at: new Date(), transfer: 'held' });
      const { agent } = await memberOf(app, coop.id, 'staff');
      const res = await agent.get(`/workspace/${coop.slug}`).expect(200);
      assert.match(res.text, /Ordini da spedire<\/h2>\s*<p class="figure">1<\/p>/);
      assert.doesNotMatch(res.text, /id="glance-sales"|id="glance-payout"|id="glance-stock"/);
      assert.doesNotMatch(res.text, /\/money"/);
    });
  });

  describe('the counters kept a few seconds (WORKSPACE_GLANCE_SECONDS)', () => {
    it('shows the kept counters until the member changes something, then reads them again', async () => {
      const kept = buildApp({ env: { WORKSPACE_GLANCE_SECONDS: '60' } }).app;
      const coop = await makeCoop();
      const { agent } = await memberOf(kept, coop.id, 'manager');
      const toShip = async () =>
        /Ordini da spedire<\/h2>\s*<p class="figure">(\d+)<\/p>/.exec((await agent.get(`/workspace/${coop.slug}`).expect(200)).text)![1];
      assert.equal(await toShip(), '0');
      // A buyer's order arrives through another process: this one shows its kept counters for a while.
      await share(coop.id, { goodsCents: 2500, status: 'paid', at: new Date() });
      assert.equal(await toShip(), '0');
      // Any form the member sends in this co-op's workspace (even one refused) drops them.
      const csrf = await tokenFor(agent, `/workspace/${coop.slug}/goods/new`);
      await agent.post(`/workspace/${coop.slug}/goods`).type('form').send({ _csrf: csrf, name: '' }).expect(422);
      assert.equal(await toShip(), '1');
      // Staff have their own kept view (no money), read on their first visit.
      const staff = await memberOf(kept, coop.id, 'staff');
      const text = (await staff.agent.get(`/workspace/${coop.slug}`).expect(200)).text;
      assert.match(text, /Ordini da spedire<\/h2>\s*<p class="figure">1<\/p>/);
      assert.doesNotMatch(text, /id="glance-sales"/);
    });
  });
});
