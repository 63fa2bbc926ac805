import type { Express } from 'express';
import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { buildApp } from '../support/app';
import { shareId, type ShareStatus } from '../../src/orders';
import { CoopShareModel } from '../../src/orders/coop-share.model';
import { OrderModel } from '../../src/orders/order.model';
import { TransferModel, transferId, type TransferStatus } from '../../src/payouts/transfer.model';
import { recordLedger } from '../../src/payouts/ledger.model';
import { moneyReport } from '../../src/workspace/reports.service';
import { memberOf, suffix } from './workspace.fixtures';
import { makeCoop } from '../support/factories';

/** An order with one line of `coopId` and one of another co-op, and this co-op's share. */
async function sale(
  coopId: string,
  opts: { productId: Types.ObjectId; name: string; quantity: number; unitCents: number; status?: ShareStatus; at?: Date },
) {
  const s = suffix();
  const goods = opts.quantity * opts.unitCents;
  const order = await OrderModel.create({
    number: `FIL-2026-${s}`,
    status: 'paid',
    buyer: { email: `b-${s}@example.test`, locale: 'it' },
    lines: [
      {
        product: opts.productId,
        sku: 'default',
        coop: new Types.ObjectId(coopId),
        name: { it: opts.name, en: opts.name },
        variantLabel: { it: '', en: '' },
        unitCents: opts.unitCents,
        quantity: opts.quantity,
        ivaRate: 10,
        lineCents: goods,
      },
      {
        product: new Types.ObjectId(),
        sku: 'default',
        coop: new Types.ObjectId(),
        name: { it: `Altrui ${s}`, en: 'Other' },
        variantLabel: { it: '', en: '' },
        unitCents: 999,
        quantity: 1,
        ivaRate: 22,
        lineCents: 999,
      },
    ],
    subtotalCents: goods + 999,
    shippingCents: 0,
    totalCents: goods + 999,
    ...({ viewToken: `t-${s}`, viewTokenHash: `h-${s}` } as Record<string, string>),
  });
  const commission = Math.round(goods / 10);
  const share = await CoopShareModel.create({
    _id: shareId(order._id, coopId),
    order: order._id,
    orderNumber: order.number,
    coop: coopId,
    coopName: 'C',
    delivery: 'ship',
    subtotalCents: goods,
    shippingCents: 500,
    commissionBps: 1000,
    commissionCents: commission,
    netCents: goods + 500 - commission,
    status: opts.status ?? 'delivered',
    ...(opts.at ? { createdAt: opts.at } : {}),
  });
  return { order, share };
}

describe('co-op workspace money', () => {
  let app: Express;
  before(() => {
    app = buildApp().app;
  });

  async function coopWithSales() {
    const coop = await makeCoop();
    const oil = new Types.ObjectId();
    const honey = new Types.ObjectId();
    const a = await sale(coop.id, { productId: oil, name: 'Olio', quantity: 2, unitCents: 1500 });
    const b = await sale(coop.id, { productId: honey, name: 'Miele', quantity: 1, unitCents: 900, status: 'shipped' });
    const c = await sale(coop.id, { productId: oil, name: 'Olio', quantity: 1, unitCents: 1500, status: 'paid' });
    await sale(coop.id, { productId: oil, name: 'Olio', quantity: 5, unitCents: 1500, status: 'pending_payment' });
    const transfer = (o: typeof a, status: TransferStatus, amountReversed = 0) =>
      TransferModel.create({
        _id: transferId(String(o.order._id), coop.id),
        order: o.order._id,
        orderNumber: o.order.number,
        coop: coop.id,
        share: o.share._id,
        amount: o.share.netCents,
        status,
        amountReversed,
      });
    await transfer(a, 'sent', 300);
    await transfer(b, 'held');
    await recordLedger({ _id: `owed:${suffix()}`, kind: 'owed', coop: new Types.ObjectId(coop.id), amount: -250 });
    return { coop, a, b, c };
  }

  describe('moneyReport', () => {
    it("adds up sales, commission and transfers of the co-op's own paid shares", async () => {
      const { coop, a, b, c } = await coopWithSales();
      const r = await moneyReport(coop.id);
      assert.equal(r.totals.salesCents, 3000 + 900 + 1500);
      assert.equal(r.totals.commissionCents, 300 + 90 + 150);
      assert.equal(r.totals.transferredCents, a.share.netCents);
      assert.equal(r.totals.reversedCents, 300);
      assert.equal(r.totals.heldCents, b.share.netCents);
      assert.equal(r.totals.pendingCents, c.share.netCents);
      assert.equal(r.totals.owedCents, 250);
      assert.equal(r.orders.length, 3);
      assert.deepEqual(
        r.products.map((p) => [p.name.it, p.quantity, p.salesCents]),
        [
          ['Olio', 3, 4500],
          ['Miele', 1, 900],
        ],
      );
      assert.equal(r.months.length, 12);
      assert.equal(r.months[11]!.salesCents, 5400);
    });
  });

  describe('GET /workspace/:coopSlug/money', () => {
    it('shows the figures, an accessible SVG chart with the same numbers in a table', async () => {
      const { coop, a } = await coopWithSales();
      const { agent } = await memberOf(app, coop.id, 'manager');
      const res = await agent.get(`/workspace/${coop.slug}/money`).expect(200);
      assert.match(res.text, /<svg class="ws-chart" role="img" aria-labelledby="chart-title chart-desc"/);
      assert.match(res.text, /<title id="chart-title">Vendite per mese<\/title>/);
      assert.match(res.text, /54,00/);
      assert.match(res.text, new RegExp(a.order.number));
      assert.doesNotMatch(res.text, /Altrui/);
    });

    it('exports the per-order breakdown as CSV', async () => {
      const { coop, a } = await coopWithSales();
      const { agent } = await memberOf(app, coop.id, 'owner');
      const res = await agent.get(`/workspace/${coop.slug}/money.csv`).expect(200);
      assert.match(String(res.headers['content-type']), /text\/csv/);
      const lines = res.text.trim().split('\n');
      assert.equal(lines.length, 4);
      assert.match(
        res.text,
        new RegExp(`${a.order.number},\\d{4}-\\d{2}-\\d{2},delivered,30.00,5.00,10.00,3.00,32.00,reversed_partly,32.00,3.00`),
      );
    });

    it('is refused to staff (403) and to other co-ops (404)', async () => {
      const { coop } = await coopWithSales();
      const { agent } = await memberOf(app, coop.id, 'staff');
      await agent.get(`/workspace/${coop.slug}/money`).expect(403);
      await agent.get(`/workspace/${coop.slug}/money.csv`).expect(403);
      const other = await makeCoop();
      const { agent: stranger } = await memberOf(app, other.id, 'owner');
      await stranger.get(`/workspace/${coop.slug}/money`).expect(404);
      await stranger.get(`/workspace/${coop.slug}/money.csv`).expect(404);
    });
  });
});
