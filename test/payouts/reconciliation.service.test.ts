import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { reconcileOrder, ledgerCsv } from '../../src/payouts/reconciliation.service';
import { backfillCommissionLedger, recordOrderPaymentLedger } from '../../src/payouts/balances.service';
import { LedgerEntryModel, recordLedger } from '../../src/payouts/ledger.model';
import { Types } from 'mongoose';
import { createRefund } from '../../src/payouts/refunds.service';
import { scheduleTransfersForOrder, setTransferGateway, getTransfer } from '../../src/payouts/transfers.service';
import { setPayoutSettings } from '../../src/payouts/settings.service';
import { transferId } from '../../src/payouts/transfer.model';
import { RefundModel } from '../../src/payouts/refund.model';
import { OrderModel } from '../../src/orders';
import type { PaymentGateway } from '../../src/payments';
import { CountingGateway, makePaidOrder, makePayableCoop } from './fixtures';

/** Stripe as it would report this order: the transfers and refunds we made, as recorded. */
function stripeReporting(transfers: Awaited<ReturnType<PaymentGateway['listTransfers']>>, refunds: Awaited<ReturnType<PaymentGateway['listRefunds']>>): PaymentGateway {
  const inner = new CountingGateway();
  inner.listTransfers = async () => transfers;
  inner.listRefunds = async () => refunds;
  return inner;
}

describe('reconciliation service', () => {
  before(async () => {
    await setPayoutSettings({ holdPolicy: 'immediate', holdDays: 14 });
  });

  describe('reconcileOrder', () => {
    it('finds no difference when Stripe reports what we recorded, and each one when it does not', async () => {
      const gw = new CountingGateway();
      setTransferGateway(gw);
      const coop = await makePayableCoop();
      const order = await makePaidOrder([{ coopId: coop.id, lines: [{ unitCents: 1000, quantity: 2 }] }]);
      await recordOrderPaymentLedger(order.orderId);
      await scheduleTransfersForOrder(order.orderId);
      await createRefund(null, { orderId: order.orderId, requestId: randomUUID(), reason: 'Reso', mode: 'lines', lines: [{ index: 0, quantity: 1 }] }, { gateway: gw });
      const t = (await getTransfer(transferId(order.orderId, coop.id)))!;
      const refund = (await RefundModel.findOne({ order: t.order }).lean())!;
      const o = (await OrderModel.findById(order.orderId).lean())!;
      assert.ok(o.payment.paymentIntentId);

      const agree = await reconcileOrder(order.orderId, stripeReporting([{ id: t.stripeTransferId!, amount: t.amount, destination: 'acct', amountReversed: t.amountReversed }], [{ id: refund.stripeRefundId!, amount: 1000, status: 'succeeded' }]));
      assert.deepEqual(agree.differences, []);
      assert.equal(agree.balance.difference, 0);

      const differ = await reconcileOrder(order.orderId, stripeReporting([{ id: t.stripeTransferId!, amount: t.amount, destination: 'acct', amountReversed: 0 }, { id: 'tr_unknown', amount: 5, destination: 'acct', amountReversed: 0 }], []));
      assert.deepEqual(differ.differences.map((d) => `${d.kind}:${d.id}`).sort(), [`refund:${refund.stripeRefundId}`, `transfer:${t.stripeTransferId}`, 'transfer:tr_unknown'].sort());
    });
  });

  describe('backfillCommissionLedger', () => {
    it('records the commission of an order whose charge alone was recorded, once', async () => {
      const coop = await makePayableCoop();
      const order = await makePaidOrder([{ coopId: coop.id, lines: [{ unitCents: 1000, quantity: 1 }], bps: 1500 }]);
      await recordLedger({ _id: `charge:${order.orderId}`, kind: 'charge', order: new Types.ObjectId(order.orderId), orderNumber: order.number, coop: null, amount: order.total });
      await backfillCommissionLedger();
      await backfillCommissionLedger();
      const entries = await LedgerEntryModel.find({ order: new Types.ObjectId(order.orderId), kind: 'commission' }).lean();
      assert.deepEqual(entries.map((e) => e.amount), [150]);
    });
  });

  describe('ledgerCsv', () => {
    it('quotes commas and neutralises formulas', () => {
      const csv = ledgerCsv([{ _id: 'x', kind: 'refund', amount: -1250, currency: 'eur', at: new Date('2026-01-02T03:04:05Z'), note: '=HYPERLINK("evil"), ok' }]);
      const line = csv.split('\r\n')[1]!;
      assert.match(line, /^2026-01-02T03:04:05.000Z,refund,,,,-1250,eur,,x,"'=HYPERLINK\(""evil""\), ok"$/);
    });
  });
});
