import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import { createRefund, refundable, retryRefund } from '../../src/payouts/refunds.service';
import { orderBalance } from '../../src/payouts/reconciliation.service';
import { coopBalance, netOwedAgainstTransfer, owedBy, recordOrderPaymentLedger } from '../../src/payouts/balances.service';
import { createTransfers, holdTransfer, getTransfer, type Transfers } from '../../src/payouts/transfers.service';
import { setPayoutSettings } from '../../src/payouts/settings.service';
import { transferId } from '../../src/payouts/transfer.model';
import { LedgerEntryModel } from '../../src/payouts/ledger.model';
import { RefundModel } from '../../src/payouts/refund.model';
import { CoopShareModel } from '../../src/orders/coop-share.model';
import { OrderModel } from '../../src/orders/order.model';
import { moneyReport } from '../../src/workspace/reports.service';
import { sharesOfCoop } from '../../src/workspace/fulfilment.service';
import { isAppError } from '../../src/platform/errors';
import { trusted } from '../../src/platform/db';
import { CountingGateway, makePaidOrder } from './fixtures';
import { MemoryMailer } from '../support/app';
import { makePayableCoop } from '../support/factories';

/** Transfers through the gateway this file's tests count (each test builds its own). */
let transfers: Transfers;

/** A small seeded generator, so a failing run can be repeated. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

async function paidAndTransferred(specs: Parameters<typeof makePaidOrder>[0]) {
  const order = await makePaidOrder(specs);
  await recordOrderPaymentLedger(order.orderId);
  await transfers.scheduleTransfersForOrder(order.orderId);
  return order;
}

describe('refunds service', () => {
  let gw: CountingGateway;
  const mailer = new MemoryMailer();
  before(async () => {
    await setPayoutSettings({ holdPolicy: 'immediate', holdDays: 14 });
  });
  beforeEach(() => {
    gw = new CountingGateway();
    transfers = createTransfers({ gateway: gw });
  });

  describe('createRefund', () => {
    describe('larger than what remains', () => {
      it('is refused with refund_exceeds_remaining and calls Stripe for nothing', async () => {
        const coop = await makePayableCoop();
        const order = await paidAndTransferred([{ coopId: coop.id, lines: [{ unitCents: 1500, quantity: 2 }], shippingCents: 600 }]);
        await createRefund(
          null,
          {
            orderId: order.orderId,
            requestId: randomUUID(),
            reason: 'Danneggiato',
            mode: 'amounts',
            amounts: [{ coopId: coop.id, cents: 2000 }],
          },
          { gateway: gw, mailer },
        );
        await assert.rejects(
          createRefund(
            null,
            {
              orderId: order.orderId,
              requestId: randomUUID(),
              reason: 'Ancora',
              mode: 'amounts',
              amounts: [{ coopId: coop.id, cents: 1601 }],
            },
            { gateway: gw },
          ),
          (e: unknown) => isAppError(e) && e.code === 'refund_exceeds_remaining' && e.status === 422,
        );
        assert.equal(gw.refunds, 1);
        const r = await refundable(order.orderId);
        assert.equal(r.remaining, 1600);
      });
    });

    describe('of more units than were bought', () => {
      it('is refused', async () => {
        const coop = await makePayableCoop();
        const order = await paidAndTransferred([{ coopId: coop.id, lines: [{ unitCents: 500, quantity: 2 }] }]);
        await assert.rejects(
          createRefund(
            null,
            { orderId: order.orderId, requestId: randomUUID(), reason: 'x', mode: 'lines', lines: [{ index: 0, quantity: 3 }] },
            { gateway: gw },
          ),
          (e: unknown) => isAppError(e) && e.code === 'refund_exceeds_remaining',
        );
      });
    });

    describe('submitted twice with the same request', () => {
      it('makes one refund', async () => {
        const coop = await makePayableCoop();
        const order = await paidAndTransferred([{ coopId: coop.id, lines: [{ unitCents: 1000, quantity: 1 }] }]);
        const req = {
          orderId: order.orderId,
          requestId: randomUUID(),
          reason: 'Doppio clic',
          mode: 'amounts' as const,
          amounts: [{ coopId: coop.id, cents: 500 }],
        };
        const [a, b] = await Promise.all([createRefund(null, req, { gateway: gw }), createRefund(null, req, { gateway: gw })]);
        assert.equal(a._id, b._id);
        assert.equal(gw.refunds, 1);
        assert.equal(await RefundModel.countDocuments({ order: new Types.ObjectId(order.orderId) }), 1);
      });
    });

    describe('when Stripe does not answer', () => {
      it('stays pending (still counted), and a retry completes it once', async () => {
        const coop = await makePayableCoop();
        const order = await paidAndTransferred([{ coopId: coop.id, lines: [{ unitCents: 1000, quantity: 2 }] }]);
        gw.failRefunds = 1;
        const req = {
          orderId: order.orderId,
          requestId: randomUUID(),
          reason: 'Nessuna risposta',
          mode: 'lines' as const,
          lines: [{ index: 0, quantity: 2 }],
        };
        await assert.rejects(createRefund(null, req, { gateway: gw }), (e: unknown) => isAppError(e) && e.code === 'refund_failed');
        const pending = (await RefundModel.findOne({ order: new Types.ObjectId(order.orderId) }).lean())!;
        assert.equal(pending.status, 'pending');
        assert.equal((await refundable(order.orderId)).remaining, 0);
        const done = await retryRefund(null, pending._id, { gateway: gw });
        assert.equal(done.status, 'succeeded');
        await assert.rejects(
          retryRefund(null, pending._id, { gateway: gw }),
          (e: unknown) => isAppError(e) && e.code === 'refund_not_pending',
        );
        assert.equal(gw.refunds, 1);
        assert.equal((await orderBalance(order.orderId)).difference, 0);
      });
    });

    describe('two different refunds at once that together pass the total', () => {
      it('lets one through and refuses the other', async () => {
        const coop = await makePayableCoop();
        const order = await paidAndTransferred([{ coopId: coop.id, lines: [{ unitCents: 1000, quantity: 1 }] }]);
        const one = () =>
          createRefund(
            null,
            { orderId: order.orderId, requestId: randomUUID(), reason: 'x', mode: 'amounts', amounts: [{ coopId: coop.id, cents: 700 }] },
            { gateway: gw },
          );
        const results = await Promise.allSettled([one(), one()]);
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
        assert.equal((await refundable(order.orderId)).refunded, 700);
      });
    });

    describe('a full refund of a co-op whose transfer was sent', () => {
      it('reverses its whole net and gives back the commission', async () => {
        const coop = await makePayableCoop();
        const order = await paidAndTransferred([{ coopId: coop.id, lines: [{ unitCents: 2000, quantity: 1 }], shippingCents: 500 }]);
        const refund = await createRefund(
          null,
          { orderId: order.orderId, requestId: randomUUID(), reason: 'Reso', mode: 'amounts', amounts: [{ coopId: coop.id, cents: 2500 }] },
          {
            gateway: gw,
            mailer,
            onError: (e) => {
              throw e;
            },
          },
        );
        assert.equal(refund.status, 'succeeded');
        assert.equal(refund.coops[0]!.reversal, 2300); // 25 € − 2 € commission
        assert.equal(refund.coops[0]!.outcome, 'reversed');
        assert.equal(gw.reversals, 1);
        const t = await getTransfer(transferId(order.orderId, coop.id));
        assert.equal(t!.status, 'reversed');
        assert.equal((await orderBalance(order.orderId)).difference, 0);
        assert.ok(mailer.sent.some((m) => m.text.includes(order.number)));
      });
    });

    describe('when the co-op balance cannot cover the reversal', () => {
      it('records what it owes and nets it against its next transfer', async () => {
        const coop = await makePayableCoop();
        const first = await paidAndTransferred([{ coopId: coop.id, lines: [{ unitCents: 1000, quantity: 3 }] }]);
        gw.failReversals = coop.id;
        const refund = await createRefund(
          null,
          { orderId: first.orderId, requestId: randomUUID(), reason: 'Rotto', mode: 'lines', lines: [{ index: 0, quantity: 1 }] },
          { gateway: gw },
        );
        assert.equal(refund.coops[0]!.outcome, 'owed');
        assert.equal(await owedBy(coop.id), 900);
        // The next order's transfer is held, then released: the debt is netted first.
        const policy = await setPayoutSettings({ holdPolicy: 'on_shipped', holdDays: 14 });
        const second = await paidAndTransferred([{ coopId: coop.id, lines: [{ unitCents: 2000, quantity: 1 }] }]);
        await setPayoutSettings({ ...policy, holdPolicy: 'immediate' });
        const id = transferId(second.orderId, coop.id);
        assert.equal((await getTransfer(id))!.status, 'held');
        // Netted once, whenever it happens first (when the transfer is scheduled, or here before the release).
        await netOwedAgainstTransfer(id);
        assert.equal(await netOwedAgainstTransfer(id), 0);
        assert.equal((await LedgerEntryModel.findById(`netted:${id}`).lean())!.amount, 900);
        const sent = await transfers.releaseTransfer(id);
        assert.equal(sent.status, 'sent');
        assert.equal(sent.amount, 1800 - 900);
        assert.equal(await owedBy(coop.id), 0);
        for (const o of [first, second]) assert.equal((await orderBalance(o.orderId)).difference, 0);
        const b = await coopBalance(coop.id);
        assert.equal(b.owedNow, 0);
        assert.equal(b.transferred, 2700 + 900);
      });
    });
  });

  describe('a full refund of a transfer that was sent smaller after netting', () => {
    it('reverses what the transfer holds and records the rest as owed', async () => {
      const coop = await makePayableCoop();
      const first = await paidAndTransferred([{ coopId: coop.id, lines: [{ unitCents: 1000, quantity: 1 }] }]);
      gw.failReversals = coop.id;
      await createRefund(
        null,
        { orderId: first.orderId, requestId: randomUUID(), reason: 'x', mode: 'lines', lines: [{ index: 0, quantity: 1 }] },
        { gateway: gw },
      );
      gw.failReversals = null;
      const second = await paidAndTransferred([{ coopId: coop.id, lines: [{ unitCents: 2000, quantity: 1 }] }]);
      const t = (await getTransfer(transferId(second.orderId, coop.id)))!;
      assert.equal(t.status, 'sent');
      assert.equal(t.amount, 1800 - 900);
      const refund = await createRefund(
        null,
        { orderId: second.orderId, requestId: randomUUID(), reason: 'y', mode: 'lines', lines: [{ index: 0, quantity: 1 }] },
        { gateway: gw },
      );
      assert.equal(refund.coops[0]!.reversal, 1800);
      assert.equal(refund.coops[0]!.outcome, 'owed');
      assert.equal((await LedgerEntryModel.findById(`reversal:${refund._id}:${coop.id}`).lean())!.amount, -900);
      assert.equal(await owedBy(coop.id), 900);
      for (const o of [first, second]) assert.equal((await orderBalance(o.orderId)).difference, 0);
    });
  });

  describe('a full refund made in parts', () => {
    for (const { parts, unitCents, bps } of [
      { parts: 3, unitCents: 915, bps: 1000 },
      { parts: 7, unitCents: 2399, bps: 1250 },
    ]) {
      it(`in ${parts} parts takes back exactly the net and gives back exactly the commission`, async () => {
        const coop = await makePayableCoop();
        const order = await paidAndTransferred([{ coopId: coop.id, lines: [{ unitCents, quantity: 1 }], bps }]);
        const share = (await CoopShareModel.findById(`${order.orderId}:${coop.id}`).lean())!;
        const each = Math.floor(unitCents / parts);
        for (let k = 0; k < parts; k++) {
          const cents = k === parts - 1 ? unitCents - each * (parts - 1) : each;
          await createRefund(
            null,
            { orderId: order.orderId, requestId: randomUUID(), reason: 'A rate', mode: 'amounts', amounts: [{ coopId: coop.id, cents }] },
            { gateway: gw },
          );
        }
        const refunds = await RefundModel.find({ order: new Types.ObjectId(order.orderId) }).lean();
        assert.equal(refunds.length, parts);
        assert.equal(
          refunds.reduce((a, r) => a + r.coops[0]!.reversal, 0),
          share.netCents,
        );
        const back = await LedgerEntryModel.find({
          order: new Types.ObjectId(order.orderId),
          kind: 'commission',
          _id: trusted({ $regex: '^commission:refund:' }),
        }).lean();
        assert.equal(
          back.reduce((a, e) => a - e.amount, 0),
          share.commissionCents,
        );
        assert.equal((await getTransfer(transferId(order.orderId, coop.id)))!.status, 'reversed');
        assert.equal((await orderBalance(order.orderId)).difference, 0);
      });
    }
  });

  describe('a full refund', () => {
    it('moves the share and the order to refunded, and the co-op money page no longer counts the sale', async () => {
      const [a, b] = [await makePayableCoop(), await makePayableCoop()];
      const order = await paidAndTransferred([
        { coopId: a.id, lines: [{ unitCents: 1200, quantity: 2 }], shippingCents: 500 },
        { coopId: b.id, lines: [{ unitCents: 800, quantity: 1 }] },
      ]);
      const refund = (coopId: string, cents: number) =>
        createRefund(
          null,
          { orderId: order.orderId, requestId: randomUUID(), reason: 'Reso', mode: 'amounts', amounts: [{ coopId, cents }] },
          { gateway: gw },
        );
      const status = async () => ({
        order: (await OrderModel.findById(order.orderId).lean())!.status,
        a: (await CoopShareModel.findById(`${order.orderId}:${a.id}`).lean())!.status,
        b: (await CoopShareModel.findById(`${order.orderId}:${b.id}`).lean())!.status,
      });
      await refund(a.id, 1000);
      assert.deepEqual(await status(), { order: 'paid', a: 'paid', b: 'paid' });
      await refund(a.id, 1900);
      assert.deepEqual(await status(), { order: 'paid', a: 'refunded', b: 'paid' });
      assert.deepEqual((await sharesOfCoop(a.id, 'open')).length, 0, 'no longer one to ship');
      const report = await moneyReport(a.id);
      assert.equal(report.totals.salesCents, 0);
      assert.equal(report.totals.commissionCents, 0);
      await refund(b.id, 800);
      assert.deepEqual(await status(), { order: 'refunded', a: 'refunded', b: 'refunded' });
      // Still an order whose refunds and ledger balance.
      assert.equal((await refundable(order.orderId)).remaining, 0);
      assert.equal((await orderBalance(order.orderId)).difference, 0);
    });
  });

  describe('ten refunds at once that together pass the total', () => {
    it('lets through exactly what fits, each refunded once at Stripe', async () => {
      const coop = await makePayableCoop();
      const order = await paidAndTransferred([{ coopId: coop.id, lines: [{ unitCents: 1000, quantity: 1 }] }]);
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, () =>
          createRefund(
            null,
            { orderId: order.orderId, requestId: randomUUID(), reason: 'x', mode: 'amounts', amounts: [{ coopId: coop.id, cents: 300 }] },
            { gateway: gw },
          ),
        ),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 3);
      assert.ok(results.every((r) => r.status === 'fulfilled' || (isAppError(r.reason) && r.reason.code === 'refund_exceeds_remaining')));
      assert.equal(gw.refunds, 3);
      assert.equal((await refundable(order.orderId)).refunded, 900);
      assert.equal((await getTransfer(transferId(order.orderId, coop.id)))!.amountReversed, 810);
      assert.equal((await orderBalance(order.orderId)).difference, 0);
    });
  });

  describe('refunding shipping with the lines', () => {
    it("refunds all or part of a co-op's shipping once, its IVA following the rates of that co-op's goods", async () => {
      const coop = await makePayableCoop();
      const order = await paidAndTransferred([
        {
          coopId: coop.id,
          lines: [
            { unitCents: 1000, quantity: 1 },
            { unitCents: 3000, quantity: 1 },
          ],
          shippingCents: 400,
        },
      ]);
      // Goods at 22% and 4%: shipping (4 €) follows them, 1 € at 22% and 3 € at 4%.
      await OrderModel.updateOne({ _id: order.orderId }, { $set: { 'lines.0.ivaRate': 22, 'lines.1.ivaRate': 4 } });
      const req = (lines: { index: number; quantity: number }[], cents: number) =>
        createRefund(
          null,
          {
            orderId: order.orderId,
            requestId: randomUUID(),
            reason: 'Spedizione',
            mode: 'lines',
            lines,
            shipping: [{ coopId: coop.id, cents }],
          },
          { gateway: gw },
        );
      const first = await req([], 400);
      assert.equal(first.amount, 400);
      assert.equal(first.coops[0]!.shipping, 400);
      assert.deepEqual(
        first.coops[0]!.iva.map((v) => ({ ...v })),
        [
          { rate: 22, gross: 100, cents: 18 },
          { rate: 4, gross: 300, cents: 12 },
        ],
      );
      await assert.rejects(req([], 1), (e: unknown) => isAppError(e) && e.code === 'refund_exceeds_remaining');
      const rest = await req(
        [
          { index: 0, quantity: 1 },
          { index: 1, quantity: 1 },
        ],
        0,
      );
      assert.deepEqual(
        rest.coops[0]!.iva.map((v) => ({ ...v })),
        [
          { rate: 22, gross: 1000, cents: 180 },
          { rate: 4, gross: 3000, cents: 115 },
        ],
      );
      const r = await refundable(order.orderId);
      assert.deepEqual([r.remaining, r.coops[0]!.shippingRemaining], [0, 0]);
      assert.equal((await CoopShareModel.findById(`${order.orderId}:${coop.id}`).lean())!.status, 'refunded');
      assert.equal((await orderBalance(order.orderId)).difference, 0);
    });
  });

  describe('when the process stops', () => {
    it('after claiming the refund but before writing it: the order page writes it, and a retry refunds once', async () => {
      const coop = await makePayableCoop();
      const order = await paidAndTransferred([{ coopId: coop.id, lines: [{ unitCents: 1000, quantity: 2 }] }]);
      gw.failRefunds = 1;
      const req = {
        orderId: order.orderId,
        requestId: randomUUID(),
        reason: 'Interrotto',
        mode: 'lines' as const,
        lines: [{ index: 0, quantity: 1 }],
      };
      await assert.rejects(createRefund(null, req, { gateway: gw }));
      // As if the process had stopped right after the claim: the refund document never written.
      const id = `refund:${order.orderId}:${req.requestId}`;
      await RefundModel.deleteOne({ _id: id });
      const r = await refundable(order.orderId);
      assert.equal(r.remaining, 1000);
      assert.equal(r.refunds.find((x) => x._id === id)?.status, 'pending');
      const done = await retryRefund(null, id, { gateway: gw });
      assert.equal(done.status, 'succeeded');
      assert.equal(gw.refunds, 1);
      assert.equal((await refundable(order.orderId)).remaining, 1000);
      assert.equal((await orderBalance(order.orderId)).difference, 0);
    });

    it('in the middle of a reversal: a retry reverses once, with the same key', async () => {
      const coop = await makePayableCoop();
      const order = await paidAndTransferred([{ coopId: coop.id, lines: [{ unitCents: 1000, quantity: 2 }] }]);
      const keys: string[] = [];
      const reverse = gw.createReversal;
      gw.createReversal = async (i) => {
        keys.push(i.idempotencyKey);
        if (keys.length === 1) throw new Error('the process stopped');
        return reverse(i);
      };
      const req = {
        orderId: order.orderId,
        requestId: randomUUID(),
        reason: 'Interrotto',
        mode: 'lines' as const,
        lines: [{ index: 0, quantity: 1 }],
      };
      await assert.rejects(createRefund(null, req, { gateway: gw }), /the process stopped/);
      const id = `refund:${order.orderId}:${req.requestId}`;
      const [a, b] = await Promise.all([retryRefund(null, id, { gateway: gw }), retryRefund(null, id, { gateway: gw })]);
      assert.ok([a, b].some((x) => x.coops[0]!.outcome === 'reversed'));
      assert.equal(gw.reversals, 1);
      assert.equal(new Set(keys).size, 1);
      assert.equal((await getTransfer(transferId(order.orderId, coop.id)))!.amountReversed, 900);
      assert.equal(await LedgerEntryModel.countDocuments({ _id: `reversal:${id}:${coop.id}` }), 1);
      assert.equal((await orderBalance(order.orderId)).difference, 0);
    });
  });

  describe('a full refund of an order whose transfer was never written', () => {
    it('is deducted from the transfer it writes, so the co-op owes nothing and is sent nothing', async () => {
      const coop = await makePayableCoop();
      const order = await makePaidOrder([{ coopId: coop.id, lines: [{ unitCents: 2000, quantity: 1 }] }]);
      await recordOrderPaymentLedger(order.orderId);
      const refund = await createRefund(
        null,
        { orderId: order.orderId, requestId: randomUUID(), reason: 'x', mode: 'lines', lines: [{ index: 0, quantity: 1 }] },
        { gateway: gw },
      );
      assert.equal(refund.coops[0]!.outcome, 'deducted');
      assert.equal(await owedBy(coop.id), 0);
      const [t] = await transfers.scheduleTransfersForOrder(order.orderId);
      assert.deepEqual([t?.status, t?.amount], ['held', 0]);
      assert.equal(gw.transfers, 0);
      assert.equal((await orderBalance(order.orderId)).difference, 0);
    });
  });

  describe('a refund of a transfer not sent yet', () => {
    it('is deducted from the transfer, which is later sent smaller; nothing is owed', async () => {
      const coop = await makePayableCoop();
      const policy = await setPayoutSettings({ holdPolicy: 'on_shipped', holdDays: 14 });
      const order = await paidAndTransferred([{ coopId: coop.id, lines: [{ unitCents: 1000, quantity: 2 }] }]);
      await setPayoutSettings({ ...policy, holdPolicy: 'immediate' });
      const id = transferId(order.orderId, coop.id);
      const refund = await createRefund(
        null,
        { orderId: order.orderId, requestId: randomUUID(), reason: 'x', mode: 'lines', lines: [{ index: 0, quantity: 1 }] },
        { gateway: gw },
      );
      assert.equal(refund.coops[0]!.outcome, 'deducted');
      assert.equal(await owedBy(coop.id), 0);
      const sent = await transfers.releaseTransfer(id);
      assert.equal(sent.amount, 1800 - 900);
      assert.equal((await orderBalance(order.orderId)).difference, 0);
    });
  });

  describe('over many random orders with refunds', () => {
    it('keeps every order and every co-op balanced to the cent, and never refunds more than was paid', async function () {
      this.timeout(120_000);
      const rand = rng(20261125);
      const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
      const coops = [await makePayableCoop(), await makePayableCoop(), await makePayableCoop()];
      const orders: Awaited<ReturnType<typeof makePaidOrder>>[] = [];
      for (let n = 0; n < 16; n++) {
        const picked = coops.filter(() => rand() < 0.6);
        const which = picked.length ? picked : [coops[n % 3]!];
        const order = await paidAndTransferred(
          which.map((c) => ({
            coopId: c.id,
            lines: Array.from({ length: int(1, 3) }, () => ({ unitCents: int(99, 4999), quantity: int(1, 4) })),
            shippingCents: rand() < 0.5 ? 690 : 0,
            bps: int(0, 2000),
          })),
        );
        // Some shares are held (not transferred) when the refund comes.
        for (const c of which) if (rand() < 0.25) await holdTransfer(transferId(order.orderId, c.id), 'random hold').catch(() => undefined);
        orders.push(order);
      }
      let refused = 0;
      for (const order of orders) {
        for (let k = int(1, 3); k > 0; k--) {
          const r = await refundable(order.orderId);
          gw.failReversals = rand() < 0.3 ? r.coops[int(0, r.coops.length - 1)]!.coopId : null;
          const useLines = rand() < 0.5;
          const req = useLines
            ? {
                mode: 'lines' as const,
                lines: r.lines.filter(() => rand() < 0.6).map((l) => ({ index: l.index, quantity: int(0, l.quantity) })),
              }
            : {
                mode: 'amounts' as const,
                amounts: r.coops
                  .filter(() => rand() < 0.7)
                  .map((c) => ({ coopId: c.coopId, cents: int(1, Math.max(1, Math.round(c.gross * 0.8))) })),
              };
          try {
            await createRefund(null, { orderId: order.orderId, requestId: randomUUID(), reason: 'random', ...req }, { gateway: gw });
          } catch (e) {
            assert.ok(isAppError(e) && ['refund_exceeds_remaining', 'refund_empty'].includes(e.code), String(e));
            refused++;
          }
        }
      }
      gw.failReversals = null;
      for (const order of orders) {
        const r = await refundable(order.orderId);
        assert.ok(r.refunded <= order.total, `${order.number} refunded ${r.refunded} of ${order.total}`);
        const refundEntries = await LedgerEntryModel.find({ order: new Types.ObjectId(order.orderId), kind: 'refund' }).lean();
        assert.equal(
          refundEntries.reduce((a, e) => a - e.amount, 0),
          r.refunded,
        );
        assert.equal((await orderBalance(order.orderId)).difference, 0, order.number);
      }
      // Each co-op: what it received or owes + what is still to send = its net less what was taken back.
      for (const c of coops) {
        const coop = new Types.ObjectId(c.id);
        const entries = await LedgerEntryModel.find({ coop, kind: trusted({ $in: ['transfer', 'reversal', 'owed', 'netted'] }) }).lean();
        const shares = await CoopShareModel.find({ coop }).lean();
        let expected = 0;
        let outstanding = 0;
        for (const s of shares) {
          const taken = (await RefundModel.find({ order: s.order, status: 'succeeded' }).lean())
            .flatMap((rf) => rf.coops.filter((p) => String(p.coop) === c.id))
            .reduce((a, p) => a + p.reversal, 0);
          expected += s.netCents - taken;
          const t = await getTransfer(transferId(String(s.order), c.id));
          if (t && t.status !== 'sent' && t.status !== 'reversed') outstanding += t.amount;
        }
        assert.equal(entries.reduce((a, e) => a + e.amount, 0) + outstanding, expected, `co-op ${c.name}`);
      }
      // The run covered what it should: refunds made and refused, reversals, owed amounts.
      const made = await RefundModel.countDocuments({
        order: trusted({ $in: orders.map((o) => new Types.ObjectId(o.orderId)) }),
        status: 'succeeded',
      });
      const owed = await LedgerEntryModel.countDocuments({
        coop: trusted({ $in: coops.map((c) => new Types.ObjectId(c.id)) }),
        kind: 'owed',
      });
      assert.ok(
        made >= 10 && refused >= 1 && owed >= 1 && gw.reversals >= 1,
        `made ${made}, refused ${refused}, owed ${owed}, reversals ${gw.reversals}`,
      );
    });
  });
});
