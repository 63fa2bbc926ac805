import type { Express } from 'express';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { buildApp } from '../support/app';
import { createRefund } from '../../src/payouts/refunds.service';
import { recordOrderPaymentLedger } from '../../src/payouts/balances.service';
import { createTransfers } from '../../src/payouts/transfers.service';
import { RefundModel } from '../../src/payouts/refund.model';
import { AuditEntryModel } from '../../src/platform/audit.model';
import { CountingGateway, makePaidOrder, sendStripeEvent } from './fixtures';
import { makePayableCoop } from '../support/factories';

describe('refund events from Stripe', () => {
  let app: Express;
  before(() => {
    app = buildApp().app;
  });

  describe('refund.updated with status failed', () => {
    it('marks our refund with the failure and audits it, once', async () => {
      const gw = new CountingGateway();
      const transfers = createTransfers({ gateway: gw });
      const coop = await makePayableCoop();
      const order = await makePaidOrder([{ coopId: coop.id, lines: [{ unitCents: 800, quantity: 1 }] }]);
      await recordOrderPaymentLedger(order.orderId);
      await transfers.scheduleTransfersForOrder(order.orderId);
      const refund = await createRefund(
        null,
        { orderId: order.orderId, requestId: randomUUID(), reason: 'Reso', mode: 'lines', lines: [{ index: 0, quantity: 1 }] },
        { gateway: gw },
      );
      const object = {
        id: refund.stripeRefundId,
        object: 'refund',
        status: 'failed',
        amount: 800,
        failure_reason: 'expired_or_canceled_card',
        metadata: { refundId: refund._id },
      };
      for (let i = 0; i < 2; i++) await sendStripeEvent(app, 'refund.updated', object).expect(200);
      assert.match((await RefundModel.findById(refund._id).lean())!.error ?? '', /stripe_failed: expired_or_canceled_card/);
      assert.equal(await AuditEntryModel.countDocuments({ action: 'refund.stripe_failed', target: refund._id }), 1);
    });
  });
});
