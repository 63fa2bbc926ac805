import type { Express } from 'express';
import assert from 'node:assert/strict';
import { buildApp } from '../support/app';
import { setPayoutSettings } from '../../src/payouts/settings.service';
import { getTransfer, type Transfers } from '../../src/payouts/transfers.service';
import { transferId } from '../../src/payouts/transfer.model';
import { DisputeModel } from '../../src/payouts/disputes.service';
import { LedgerEntryModel } from '../../src/payouts/ledger.model';
import { OrderModel } from '../../src/orders/order.model';
import { CountingGateway, makePaidOrder, sendStripeEvent } from './fixtures';
import { suffix } from '../admin/helpers';
import { makePayableCoop } from '../support/factories';

describe('disputes', () => {
  let app: Express;
  let gw: CountingGateway;
  let transfers: Transfers;
  // An app whose transfers go through a gateway each test counts.
  beforeEach(() => {
    gw = new CountingGateway();
    ({
      app,
      services: {
        payouts: { transfers },
      },
    } = buildApp({ payments: gw }));
  });

  async function heldOrder() {
    const coop = await makePayableCoop();
    const policy = await setPayoutSettings({ holdPolicy: 'on_shipped', holdDays: 14 });
    const order = await makePaidOrder([{ coopId: coop.id, lines: [{ unitCents: 3000, quantity: 1 }] }]);
    await transfers.scheduleTransfersForOrder(order.orderId);
    await setPayoutSettings({ ...policy, holdPolicy: 'immediate' });
    const o = await OrderModel.findById(order.orderId).lean();
    return { coop, order, chargeId: o!.payment.chargeId!, id: transferId(order.orderId, coop.id) };
  }

  describe('charge.dispute.created', () => {
    it('flags the order and holds its transfers, once however often it arrives', async () => {
      const { order, chargeId, id } = await heldOrder();
      const dp = {
        id: `dp_${suffix()}`,
        object: 'dispute',
        charge: chargeId,
        amount: 3000,
        reason: 'fraudulent',
        status: 'needs_response',
      };
      await sendStripeEvent(app, 'charge.dispute.created', dp).expect(200);
      await sendStripeEvent(app, 'charge.dispute.created', dp).expect(200);
      const o = await OrderModel.findById(order.orderId).lean();
      assert.deepEqual(
        o!.flags.filter((f) => f === 'disputed'),
        ['disputed'],
      );
      const t = await getTransfer(id);
      assert.equal(t!.status, 'held');
      assert.equal(t!.holdReason, 'dispute');
      assert.equal(await DisputeModel.countDocuments({ _id: `dispute:${dp.id}` }), 1);
    });
  });

  describe('charge.dispute.closed', () => {
    describe('won', () => {
      it('records the outcome and releases what the dispute held', async () => {
        const { chargeId, id } = await heldOrder();
        const dp = {
          id: `dp_${suffix()}`,
          object: 'dispute',
          charge: chargeId,
          amount: 3000,
          reason: 'fraudulent',
          status: 'needs_response',
        };
        await sendStripeEvent(app, 'charge.dispute.created', dp).expect(200);
        await sendStripeEvent(app, 'charge.dispute.closed', { ...dp, status: 'won' }).expect(200);
        assert.equal((await DisputeModel.findById(`dispute:${dp.id}`).lean())!.outcome, 'won');
        assert.equal((await getTransfer(id))!.status, 'sent');
        assert.equal(gw.transfers, 1);
      });
    });

    describe('lost', () => {
      it('records the loss in the ledger once, and the outcome never moves back', async () => {
        const { chargeId, id } = await heldOrder();
        const dp = {
          id: `dp_${suffix()}`,
          object: 'dispute',
          charge: chargeId,
          amount: 3000,
          reason: 'fraudulent',
          status: 'needs_response',
        };
        await sendStripeEvent(app, 'charge.dispute.created', dp).expect(200);
        await sendStripeEvent(app, 'charge.dispute.closed', { ...dp, status: 'lost' }).expect(200);
        await sendStripeEvent(app, 'charge.dispute.closed', { ...dp, status: 'won' }).expect(200);
        assert.equal((await DisputeModel.findById(`dispute:${dp.id}`).lean())!.outcome, 'lost');
        assert.equal((await LedgerEntryModel.findById(`dispute:${dp.id}`).lean())!.amount, -3000);
        assert.equal((await getTransfer(id))!.status, 'held');
      });
    });
  });
});
