import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { reconcileOrder, ledgerCsv, type Difference } from '../../src/payouts/reconciliation.service';
import { backfillCommissionLedger, recordOrderPaymentLedger } from '../../src/payouts/balances.service';
import { LedgerEntryModel, recordLedger } from '../../src/payouts/ledger.model';
import { Types } from 'mongoose';
import { createRefund } from '../../src/payouts/refunds.service';
import { createTransfers, recordTransferReversal, getTransfer, type Transfers } from '../../src/payouts/transfers.service';
import { setPayoutSettings } from '../../src/payouts/settings.service';
import { transferId } from '../../src/payouts/transfer.model';
import { DemoGateway, StripeGateway, type PaymentGateway, type TransferGroupMoney } from '../../src/payments';
import { testConfig } from '../support/app';
import { CountingGateway, makePaidOrder } from './fixtures';
import { makePayableCoop } from '../support/factories';

/** Transfers through the gateway this file's tests count (each test builds its own). */
let transfers: Transfers;

/** A gateway that reports the given Stripe objects for any transfer group (and fails every write). */
function stripeHolding(money: TransferGroupMoney): PaymentGateway {
  const inner = new CountingGateway();
  inner.readTransferGroup = async () => structuredClone(money);
  return inner;
}

/** Stripe's objects exactly as our ledger records them for the order: the case where they agree. */
async function stripeAsLedger(orderId: string): Promise<TransferGroupMoney> {
  const entries = await LedgerEntryModel.find({ order: new Types.ObjectId(orderId) }).lean();
  const of = (kind: string) => entries.filter((e) => e.kind === kind);
  const refunded = of('refund').reduce((a, e) => a - e.amount, 0);
  return {
    charges: of('charge').map((e) => ({ id: e.stripeId!, amount: e.amount, amountRefunded: refunded, status: 'succeeded' })),
    transfers: of('transfer').map((e) => {
      const reversals = of('reversal')
        .filter((r) => String(r.coop) === String(e.coop))
        .map((r) => ({ id: r.stripeId!, amount: -r.amount, metadata: { coopId: String(r.coop) } }));
      return {
        id: e.stripeId!,
        amount: e.amount,
        destination: 'acct_x',
        amountReversed: reversals.reduce((a, r) => a + r.amount, 0),
        metadata: { coopId: String(e.coop) },
        reversals,
      };
    }),
    refunds: of('refund').map((e) => ({ id: e.stripeId!, amount: -e.amount, status: 'succeeded', metadata: {} })),
  };
}

const codes = (ds: Difference[]) => ds.map((d) => `${d.code}:${d.id}`).sort();

describe('reconciliation service', () => {
  before(async () => {
    await setPayoutSettings({ holdPolicy: 'immediate', holdDays: 14 });
  });

  /** A paid order of two co-ops, both transferred (through stripe-mock), with a partial refund reversed from the first. */
  async function refundedOrder() {
    const gw = new CountingGateway();
    transfers = createTransfers({ gateway: gw });
    const [a, b] = [await makePayableCoop(), await makePayableCoop()];
    const order = await makePaidOrder([
      { coopId: a.id, lines: [{ unitCents: 1000, quantity: 2 }] },
      { coopId: b.id, lines: [{ unitCents: 3000, quantity: 1 }] },
    ]);
    await recordOrderPaymentLedger(order.orderId);
    await transfers.scheduleTransfersForOrder(order.orderId);
    await createRefund(
      null,
      { orderId: order.orderId, requestId: randomUUID(), reason: 'Reso', mode: 'lines', lines: [{ index: 0, quantity: 1 }] },
      { gateway: gw },
    );
    const ta = (await getTransfer(transferId(order.orderId, a.id)))!;
    const tb = (await getTransfer(transferId(order.orderId, b.id)))!;
    return { order, a, b, ta, tb, stripe: await stripeAsLedger(order.orderId) };
  }

  describe('reconcileOrder', () => {
    describe('when Stripe holds exactly what our ledger holds', () => {
      it('finds no difference, and each co-op kept the same on both sides', async () => {
        const { order, a, b, stripe } = await refundedOrder();
        assert.equal(stripe.transfers.length, 2);
        assert.equal(stripe.transfers.flatMap((t) => t.reversals).length, 1);
        const r = await reconcileOrder(order.orderId, stripeHolding(stripe));
        assert.deepEqual(r.differences, []);
        assert.equal(r.balance.difference, 0);
        // a: 2000 − 200 commission = 1800 sent, 900 reversed; b: 3000 − 300 = 2700 sent.
        assert.deepEqual(
          r.coops.map((c) => [c.coopId, c.ledger, c.stripe]).sort(),
          [
            [a.id, 900, 900],
            [b.id, 2700, 2700],
          ].sort(),
        );
      });
    });

    describe('when a reversal was made in Stripe’s dashboard', () => {
      it('reports reversal_unknown_to_ledger and the co-op’s total, even after the webhook recorded the amount reversed', async () => {
        const { order, b, tb, stripe } = await refundedOrder();
        const t = stripe.transfers.find((x) => x.metadata.coopId === b.id)!;
        t.reversals.push({ id: 'trr_dashboard', amount: 500, metadata: {} });
        t.amountReversed += 500;
        // transfer.reversed arrives: our copy of the amount reversed now agrees with Stripe's (what the old check compared).
        await recordTransferReversal(tb.stripeTransferId!, 500, { orderId: order.orderId, coopId: b.id });
        const r = await reconcileOrder(order.orderId, stripeHolding(stripe));
        assert.deepEqual(codes(r.differences), [`coop_total_mismatch:${b.id}`, 'reversal_unknown_to_ledger:trr_dashboard']);
        assert.deepEqual(
          r.differences.find((d) => d.code === 'reversal_unknown_to_ledger'),
          { code: 'reversal_unknown_to_ledger', id: 'trr_dashboard', coopId: b.id, ours: null, stripe: 500 },
        );
        assert.deepEqual(
          r.differences.find((d) => d.code === 'coop_total_mismatch'),
          { code: 'coop_total_mismatch', id: b.id, coopId: b.id, ours: 2700, stripe: 2200 },
        );
      });
    });

    describe('when a refund was made outside Filiera', () => {
      it('reports refund_unknown_to_ledger; a failed one is not money and is not reported', async () => {
        const { order, stripe } = await refundedOrder();
        stripe.refunds.push(
          { id: 're_dashboard', amount: 1234, status: 'succeeded', metadata: {} },
          { id: 're_failed', amount: 99, status: 'failed', metadata: {} },
        );
        const r = await reconcileOrder(order.orderId, stripeHolding(stripe));
        assert.deepEqual(r.differences, [
          { code: 'refund_unknown_to_ledger', id: 're_dashboard', coopId: undefined, ours: null, stripe: 1234 },
        ]);
      });
    });

    describe('when amounts differ or one side lacks an object', () => {
      it('reports each with its code', async () => {
        const { order, a, b, ta, stripe } = await refundedOrder();
        stripe.charges[0]!.amount += 1;
        const tA = stripe.transfers.find((x) => x.metadata.coopId === a.id)!;
        const reversalId = tA.reversals[0]!.id;
        tA.reversals = [];
        stripe.transfers = stripe.transfers.filter((x) => x.metadata.coopId === a.id);
        tA.amount -= 10;
        const refundId = stripe.refunds[0]!.id;
        stripe.refunds = [];
        stripe.transfers.push({ id: 'tr_stray', amount: 50, destination: 'acct_y', amountReversed: 0, metadata: {}, reversals: [] });
        const tbId = (await getTransfer(transferId(order.orderId, b.id)))!.stripeTransferId!;
        const r = await reconcileOrder(order.orderId, stripeHolding(stripe));
        assert.deepEqual(
          codes(r.differences),
          [
            `charge_amount_mismatch:${stripe.charges[0]!.id}`,
            `coop_total_mismatch:${a.id}`,
            `coop_total_mismatch:${b.id}`,
            'coop_total_mismatch:destination:acct_y',
            `refund_missing:${refundId}`,
            `reversal_missing:${reversalId}`,
            `transfer_amount_mismatch:${ta.stripeTransferId}`,
            `transfer_missing:${tbId}`,
            'transfer_unknown_to_ledger:tr_stray',
          ].sort(),
        );
      });
    });

    describe('when our ledger does not add up', () => {
      it('reports ledger_unbalanced with the difference', async () => {
        const { order, stripe } = await refundedOrder();
        await recordLedger({
          _id: `stray:${order.orderId}`,
          kind: 'commission',
          order: new Types.ObjectId(order.orderId),
          orderNumber: order.number,
          coop: null,
          amount: 7,
        });
        const r = await reconcileOrder(order.orderId, stripeHolding(stripe));
        assert.deepEqual(r.differences, [{ code: 'ledger_unbalanced', id: order.number, ours: -7, stripe: null }]);
      });
    });
  });

  describe('StripeGateway.readTransferGroup against stripe-mock', () => {
    it('lists charges, transfers with their reversals, and refunds with parameters Stripe accepts', async () => {
      const gw = new StripeGateway(testConfig().stripe, { maxNetworkRetries: 0 });
      const money = await gw.readTransferGroup('FIL-T-recon');
      // stripe-mock answers with its fixtures: one of each list, well-formed.
      assert.ok(money.charges.length >= 1 && money.transfers.length >= 1 && money.refunds.length >= 1);
      for (const c of money.charges) assert.ok(c.id.startsWith('ch_') && Number.isInteger(c.amount) && Number.isInteger(c.amountRefunded));
      for (const t of money.transfers) {
        assert.ok(t.id.startsWith('tr_') && Number.isInteger(t.amount));
        for (const r of t.reversals) assert.ok(r.id.startsWith('trr_') && Number.isInteger(r.amount));
      }
      for (const r of money.refunds) assert.ok(r.id.startsWith('re_') && Number.isInteger(r.amount));
    });
  });

  describe('DemoGateway.readTransferGroup', () => {
    it('answers from what the demo provider recorded for the group', async () => {
      const demo = new DemoGateway();
      const number = `FIL-T-demo-${randomUUID().slice(0, 8)}`;
      const other = `${number}-other`;
      const session = await demo.createCheckoutSession({
        orderId: 'o1',
        orderNumber: number,
        lines: [{ name: 'Olio', unitAmount: 2500, quantity: 2 }],
        customerEmail: 'b@test.filiera',
        locale: 'it',
        successUrl: 'http://x/ok',
        cancelUrl: 'http://x/no',
        expiresAt: new Date(Date.now() + 3_600_000),
        idempotencyKey: `checkout:${number}`,
      });
      const paid = await demo.pay(session.id);
      const account = await demo.createConnectedAccount({ coopId: 'c1', email: 'c@test.filiera', idempotencyKey: `account:${number}` });
      await demo.completeOnboarding(account.id);
      const t = await demo.createTransfer({
        amount: 4500,
        destination: account.id,
        transferGroup: number,
        sourceTransaction: paid.chargeId,
        metadata: { coopId: 'c1' },
        idempotencyKey: `transfer:${number}`,
      });
      await demo.createTransfer({
        amount: 100,
        destination: account.id,
        transferGroup: other,
        metadata: {},
        idempotencyKey: `transfer:${other}`,
      });
      const rev = await demo.createReversal({
        transferId: t.id,
        amount: 900,
        metadata: { coopId: 'c1' },
        idempotencyKey: `reversal:${number}`,
      });
      const refund = await demo.createRefund({
        paymentIntentId: paid.paymentIntentId!,
        amount: 1000,
        metadata: {},
        idempotencyKey: `refund:${number}`,
      });
      const money = await demo.readTransferGroup(number);
      assert.deepEqual(money, {
        charges: [{ id: paid.chargeId, amount: 5000, amountRefunded: 1000, status: 'succeeded', paymentIntentId: paid.paymentIntentId }],
        transfers: [
          {
            id: t.id,
            amount: 4500,
            destination: account.id,
            amountReversed: 900,
            metadata: { coopId: 'c1' },
            reversals: [{ id: rev.id, amount: 900, metadata: { coopId: 'c1' } }],
          },
        ],
        refunds: [{ id: refund.id, amount: 1000, status: 'succeeded', chargeId: paid.chargeId, metadata: {} }],
      });
    });
  });

  describe('backfillCommissionLedger', () => {
    it('records the commission of an order whose charge alone was recorded, once', async () => {
      const coop = await makePayableCoop();
      const order = await makePaidOrder([{ coopId: coop.id, lines: [{ unitCents: 1000, quantity: 1 }], bps: 1500 }]);
      await recordLedger({
        _id: `charge:${order.orderId}`,
        kind: 'charge',
        order: new Types.ObjectId(order.orderId),
        orderNumber: order.number,
        coop: null,
        amount: order.total,
      });
      await backfillCommissionLedger();
      await backfillCommissionLedger();
      const entries = await LedgerEntryModel.find({ order: new Types.ObjectId(order.orderId), kind: 'commission' }).lean();
      assert.deepEqual(
        entries.map((e) => e.amount),
        [150],
      );
    });
  });

  describe('ledgerCsv', () => {
    it('quotes commas and neutralises formulas', () => {
      const csv = ledgerCsv([
        { _id: 'x', kind: 'refund', amount: -1250, currency: 'eur', at: new Date('2026-01-02T03:04:05Z'), note: '=HYPERLINK("evil"), ok' },
      ]);
      const line = csv.split('\r\n')[1]!;
      assert.match(line, /^2026-01-02T03:04:05.000Z,refund,,,,-1250,eur,,x,"'=HYPERLINK\(""evil""\), ok"$/);
    });
  });
});
