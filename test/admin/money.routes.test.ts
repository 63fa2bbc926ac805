import type { Express } from 'express';
import assert from 'node:assert/strict';
import { buildApp, csrfFrom, MemoryMailer } from '../support/app';
import type { Transfers } from '../../src/payouts/transfers.service';
import { recordOrderPaymentLedger } from '../../src/payouts/balances.service';
import { RefundModel } from '../../src/payouts/refund.model';
import { AuditEntryModel } from '../../src/platform/audit.model';
import { signedIn } from './helpers';
import { CountingGateway, makePaidOrder } from '../payouts/fixtures';
import { Types } from 'mongoose';
import { OrderModel } from '../../src/orders/order.model';
import { StockLevelModel, stockId } from '../../src/catalog';
import { makePayableCoop, makeUser } from '../support/factories';

describe('admin order money', () => {
  let app: Express;
  let gw: CountingGateway;
  let transfers: Transfers;
  const mailer = new MemoryMailer();
  before(() => {
    gw = new CountingGateway();
    ({
      app,
      services: {
        payouts: { transfers },
      },
    } = buildApp({ payments: gw, mailer }));
  });

  async function setup() {
    const coop = await makePayableCoop();
    const order = await makePaidOrder([{ coopId: coop.id, lines: [{ unitCents: 1250, quantity: 2 }], shippingCents: 690 }]);
    await recordOrderPaymentLedger(order.orderId);
    await transfers.scheduleTransfersForOrder(order.orderId);
    const a = await makeUser({ isAdmin: true });
    return { coop, order, agent: await signedIn(app, a.id) };
  }

  describe('POST /admin/orders/:id/refund', () => {
    describe('confirmed, by lines', () => {
      it('refunds, reverses the transfer, keeps the reason and audits it', async () => {
        const { order, agent } = await setup();
        const page = await agent.get(`/admin/orders/${order.orderId}`).expect(200);
        assert.match(page.text, /<dd>Pagato<\/dd>/, 'the order status in words');
        const requestId = /name="requestId" value="([^"]+)"/.exec(page.text)![1]!;
        const before = gw.refunds;
        await agent
          .post(`/admin/orders/${order.orderId}/refund`)
          .type('form')
          .send({ _csrf: csrfFrom(page.text), requestId, mode: 'lines', qty_0: '1', reason: 'Vasetto rotto', confirm: 'yes' })
          .expect(303);
        // The same form sent again is the same refund.
        await agent
          .post(`/admin/orders/${order.orderId}/refund`)
          .type('form')
          .send({ _csrf: csrfFrom(page.text), requestId, mode: 'lines', qty_0: '1', reason: 'Vasetto rotto', confirm: 'yes' })
          .expect(303);
        assert.equal(gw.refunds - before, 1);
        const refunds = await RefundModel.find({ order: new Types.ObjectId(order.orderId) }).lean();
        assert.equal(refunds.length, 1);
        assert.equal(refunds[0]!.amount, 1250);
        assert.equal(refunds[0]!.reason, 'Vasetto rotto');
        assert.ok(await AuditEntryModel.exists({ action: 'order.refund', target: `order:${order.orderId}` }));
        const after = await agent.get(`/admin/orders/${order.orderId}`).expect(200);
        assert.match(after.text, /Vasetto rotto/);
      });
    });

    describe("confirmed, by lines with the co-op's shipping", () => {
      it('refunds the line and part of the shipping, and shows the IVA of the refund', async () => {
        const { coop, order, agent } = await setup();
        const page = await agent.get(`/admin/orders/${order.orderId}`).expect(200);
        assert.match(page.text, new RegExp(`name="shipping_${coop.id}"`));
        const requestId = /name="requestId" value="([^"]+)"/.exec(page.text)![1]!;
        await agent
          .post(`/admin/orders/${order.orderId}/refund`)
          .type('form')
          .send({
            _csrf: csrfFrom(page.text),
            requestId,
            mode: 'lines',
            qty_0: '1',
            [`shipping_${coop.id}`]: '4,00',
            reason: 'Rotto in viaggio',
            confirm: 'yes',
          })
          .expect(303);
        const [refund] = await RefundModel.find({ order: new Types.ObjectId(order.orderId) }).lean();
        assert.equal(refund!.amount, 1250 + 400);
        assert.equal(refund!.coops[0]!.shipping, 400);
        // Goods at 10%: the shipping refunded follows them.
        assert.deepEqual(
          refund!.coops[0]!.iva.map((v) => ({ ...v })),
          [{ rate: 10, gross: 1650, cents: 150 }],
        );
        const after = await agent.get(`/admin/orders/${order.orderId}`).expect(200);
        assert.match(after.text, /IVA 10%/);
        // 2,90 € of shipping remain: 3 € is refused and nothing is refunded.
        const again = /name="requestId" value="([^"]+)"/.exec(after.text)![1]!;
        const before = gw.refunds;
        await agent
          .post(`/admin/orders/${order.orderId}/refund`)
          .type('form')
          .send({
            _csrf: csrfFrom(after.text),
            requestId: again,
            mode: 'lines',
            [`shipping_${coop.id}`]: '3',
            reason: 'Ancora',
            confirm: 'yes',
          })
          .expect(422);
        assert.equal(gw.refunds, before);
      });
    });

    describe('with the stock returned', () => {
      it('puts the refunded units back once, and mails the buyer', async () => {
        const { order, agent } = await setup();
        const o = (await OrderModel.findById(order.orderId).lean())!;
        const line = o.lines[0]!;
        await StockLevelModel.create({ _id: stockId(line.product, line.sku), product: line.product, sku: line.sku, onHand: 4 });
        const page = await agent.get(`/admin/orders/${order.orderId}`).expect(200);
        const requestId = /name="requestId" value="([^"]+)"/.exec(page.text)![1]!;
        const form = {
          _csrf: csrfFrom(page.text),
          requestId,
          mode: 'lines',
          qty_0: '2',
          reason: 'Reso completo',
          returnStock: 'yes',
          confirm: 'yes',
        };
        await agent.post(`/admin/orders/${order.orderId}/refund`).type('form').send(form).expect(303);
        await agent.post(`/admin/orders/${order.orderId}/refund`).type('form').send(form).expect(303);
        assert.equal((await StockLevelModel.findById(stockId(line.product, line.sku)).lean())!.onHand, 6);
        assert.ok(mailer.sent.some((m) => m.to === o.buyer.email && m.text.includes(o.number) && m.text.includes('Reso completo')));
      });
    });

    describe('without the confirmation', () => {
      it('responds 422 and refunds nothing', async () => {
        const { order, agent } = await setup();
        const page = await agent.get(`/admin/orders/${order.orderId}`).expect(200);
        const requestId = /name="requestId" value="([^"]+)"/.exec(page.text)![1]!;
        const res = await agent
          .post(`/admin/orders/${order.orderId}/refund`)
          .type('form')
          .send({ _csrf: csrfFrom(page.text), requestId, mode: 'lines', qty_0: '1', reason: 'Vasetto rotto' })
          .expect(422);
        assert.match(res.text, /id="refund-confirm"[^>]*aria-invalid="true"/);
        assert.equal(await RefundModel.countDocuments({ order: new Types.ObjectId(order.orderId) }), 0);
      });
    });

    describe('without a CSRF token', () => {
      it('responds 403', async () => {
        const { order, agent } = await setup();
        await agent.get(`/admin/orders/${order.orderId}`).expect(200);
        await agent
          .post(`/admin/orders/${order.orderId}/refund`)
          .type('form')
          .send({ requestId: '7c6f2b8e-1f1a-4c1e-9a55-1f9a2b3c4d5e', mode: 'lines', qty_0: '1', reason: 'x y z', confirm: 'yes' })
          .expect(403);
      });
    });

    describe('larger than what remains', () => {
      it('is refused with a message, and the input kept', async () => {
        const { coop, order, agent } = await setup();
        const page = await agent.get(`/admin/orders/${order.orderId}`).expect(200);
        const requestId = /name="requestId" value="([^"]+)"/.exec(page.text)![1]!;
        const res = await agent
          .post(`/admin/orders/${order.orderId}/refund`)
          .type('form')
          .send({
            _csrf: csrfFrom(page.text),
            requestId,
            mode: 'amounts',
            [`amount_${coop.id}`]: '31,91',
            reason: 'Troppo',
            confirm: 'yes',
          })
          .expect(422);
        assert.match(res.text, /id="form-error"/);
        assert.match(res.text, /value="31,91"/);
        assert.equal(await RefundModel.countDocuments({ order: new Types.ObjectId(order.orderId) }), 0);
      });
    });
  });

  describe('GET /admin/ledger.csv', () => {
    it('exports the order’s entries as CSV', async () => {
      const { order, agent } = await setup();
      const res = await agent.get(`/admin/ledger.csv?order=${order.orderId}`).expect(200);
      assert.match(String(res.headers['content-type']), /text\/csv/);
      const rows = res.text.trim().split('\r\n');
      assert.equal(rows[0], 'at,kind,order_number,order_id,coop_id,amount_cents,currency,stripe_id,entry_id,note');
      assert.ok(rows.some((r) => r.includes(',charge,') && r.includes(',3190,')));
      assert.ok(rows.some((r) => r.includes(',transfer,')));
    });
  });

  describe('GET /admin/reconciliation?run=1', () => {
    it('compares with Stripe and lists the differences', async () => {
      const { agent } = await setup();
      const res = await agent.get('/admin/reconciliation?run=1').expect(200);
      // stripe-mock keeps no state: its fixtures never match our ledger, so differences are listed.
      assert.match(res.text, /<caption>/);
      // Each difference is named by its code's label (Italian by default), e.g. a transfer Stripe holds and our ledger does not.
      assert.match(res.text, /Trasferimento su Stripe, assente dal nostro registro/);
    });
  });
});
