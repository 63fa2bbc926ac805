import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { createPaymentGateway } from '../../src/payments';
import { PaymentProviderError, type PaymentGateway, type TransferInput } from '../../src/payments/gateway';
import { CoopShareModel } from '../../src/orders';
import { CoopModel } from '../../src/coops/coop.model';
import { LedgerEntryModel, recordLedger } from '../../src/payouts/ledger.model';
import { setPayoutSettings, DEFAULT_PAYOUT_SETTINGS } from '../../src/payouts/settings.service';
import {
  holdTransfer,
  onShareFulfilmentChanged,
  policyDue,
  releaseTransfer,
  retryTransfer,
  scheduleTransfersForOrder,
  sendDueTransfers,
  setTransferGateway,
  transferId,
} from '../../src/payouts/transfers.service';
import { TransferModel } from '../../src/payouts/transfer.model';
import { testConfig } from '../support/app';
import { makeCoop, makeOrder } from '../payments/factories';

/** The Stripe gateway (stripe-mock), counting transfer calls, optionally failing the first `failFirst`. */
function countingGateway(failFirst = 0): PaymentGateway & { transferCalls: TransferInput[] } {
  const real = createPaymentGateway(testConfig());
  const transferCalls: TransferInput[] = [];
  return Object.assign(Object.create(real) as PaymentGateway, {
    transferCalls,
    async createTransfer(input: TransferInput) {
      transferCalls.push(input);
      if (transferCalls.length <= failFirst) throw new PaymentProviderError('timeout', 'Stripe did not answer', true);
      return real.createTransfer(input);
    },
  });
}

const DAY = 86_400_000;

describe('transfers.service', () => {
  afterEach(async () => {
    await setPayoutSettings(DEFAULT_PAYOUT_SETTINGS);
  });

  describe('scheduleTransfersForOrder', () => {
    describe('called 20 times at once for a paid order with two co-ops', () => {
      it('creates and sends one transfer per share', async function () {
        this.timeout(30_000);
        const gw = countingGateway();
        setTransferGateway(gw);
        const [a, b] = [await makeCoop(), await makeCoop()];
        const order = await makeOrder([a!, b!], { status: 'paid', chargeId: 'ch_abc' });
        await Promise.all(Array.from({ length: 20 }, () => scheduleTransfersForOrder(order.orderId)));
        const docs = await TransferModel.find({ order: new Types.ObjectId(order.orderId) }).lean();
        assert.equal(docs.length, 2);
        assert.ok(docs.every((d) => d.status === 'sent'));
        assert.equal(gw.transferCalls.length, 2);
        const call = gw.transferCalls.find((c) => c.destination === a!.stripeAccountId)!;
        assert.equal(call.amount, 1800);
        assert.equal(call.transferGroup, order.number);
        assert.equal(call.sourceTransaction, 'ch_abc');
        assert.equal(call.idempotencyKey, transferId(order.orderId, String(a!._id)));
        assert.deepEqual({ ...call.metadata, orderNumber: undefined }, { orderId: order.orderId, coopId: String(a!._id), orderNumber: undefined });
        assert.equal(await LedgerEntryModel.countDocuments({ order: new Types.ObjectId(order.orderId), kind: 'transfer' }), 2);
      });
    });

    describe('for an order not paid yet', () => {
      it('waits for the payment', async () => {
        setTransferGateway(countingGateway());
        const coop = await makeCoop();
        const order = await makeOrder([coop]);
        const [t] = await scheduleTransfersForOrder(order.orderId);
        assert.equal(t?.status, 'waiting_payment');
      });
    });

    describe('when the co-op cannot receive transfers yet', () => {
      it('waits for the account', async () => {
        const gw = countingGateway();
        setTransferGateway(gw);
        const coop = await makeCoop({ transfersActive: false });
        const order = await makeOrder([coop], { status: 'paid' });
        const [t] = await scheduleTransfersForOrder(order.orderId);
        assert.equal(t?.status, 'waiting_account');
        assert.equal(gw.transferCalls.length, 0);
      });
    });

    describe('when Stripe fails, then a retry', () => {
      it('records the failure and sends once with the same idempotency key', async () => {
        const gw = countingGateway(1);
        setTransferGateway(gw);
        const coop = await makeCoop();
        const order = await makeOrder([coop], { status: 'paid' });
        const [failed] = await scheduleTransfersForOrder(order.orderId);
        assert.equal(failed?.status, 'failed');
        assert.equal(failed?.lastError?.code, 'timeout');
        assert.equal(failed?.lastError?.retryable, true);
        const [sent, again] = await Promise.all([retryTransfer(failed!._id), retryTransfer(failed!._id).catch((e: { code?: string }) => e.code)]);
        const final = await TransferModel.findById(failed!._id).lean();
        assert.equal(final?.status, 'sent');
        assert.ok(sent.status === 'sent' || again === 'transfer_already_sent');
        assert.equal(gw.transferCalls.length, 2);
        assert.equal(gw.transferCalls[0]!.idempotencyKey, gw.transferCalls[1]!.idempotencyKey);
        assert.equal(await LedgerEntryModel.countDocuments({ _id: failed!._id }), 1);
        await assert.rejects(retryTransfer(failed!._id), { code: 'transfer_already_sent' });
      });
    });
      describe('when a process stopped half-way through a send', () => {
      it('is sent by the sweeper with the same key', async () => {
        const gw = countingGateway();
        setTransferGateway(gw);
        const coop = await makeCoop({ transfersActive: false });
        const order = await makeOrder([coop], { status: 'paid' });
        const [t] = await scheduleTransfersForOrder(order.orderId);
        await CoopModel.updateOne({ _id: coop._id }, { $set: { 'payouts.transfersActive': true } });
        await TransferModel.updateOne({ _id: t!._id }, { $set: { status: 'pending', updatedAt: new Date(Date.now() - 10 * 60_000) } }, { timestamps: false });
        await sendDueTransfers();
        assert.equal((await TransferModel.findById(t!._id).lean())?.status, 'sent');
        assert.equal(gw.transferCalls.length, 1);
        assert.equal(gw.transferCalls[0]!.idempotencyKey, t!._id);
      });
    });

    describe('when the co-op owes the platform', () => {
      it('nets the debt against the transfer, once', async () => {
        const gw = countingGateway();
        setTransferGateway(gw);
        const [coop, other] = [await makeCoop(), await makeCoop()];
        const old = await makeOrder([coop!], { status: 'paid' });
        await recordLedger({ _id: `owed:test:${old.orderId}`, kind: 'owed', order: new Types.ObjectId(old.orderId), coop: coop!._id, amount: -500 });
        const order = await makeOrder([coop!, other!], { status: 'paid' });
        await Promise.all([scheduleTransfersForOrder(order.orderId), scheduleTransfersForOrder(order.orderId)]);
        assert.deepEqual(gw.transferCalls.map((c) => c.amount).sort(), [1300, 1800]);
        const next = await makeOrder([coop!], { status: 'paid' });
        await scheduleTransfersForOrder(next.orderId);
        assert.equal(gw.transferCalls.at(-1)!.amount, 1800, 'the debt is netted only once');
      });
    });
  });

  describe('hold policies', () => {
    describe('"when shipped"', () => {
      it('holds the transfer until the share is shipped', async () => {
        await setPayoutSettings({ holdPolicy: 'on_shipped', holdDays: 14 });
        const gw = countingGateway();
        setTransferGateway(gw);
        const coop = await makeCoop();
        const order = await makeOrder([coop], { status: 'paid' });
        const [held] = await scheduleTransfersForOrder(order.orderId);
        assert.equal(held?.status, 'held');
        await CoopShareModel.updateOne({ _id: order.shareIds[0] }, { $set: { status: 'shipped' } });
        const [sent] = await onShareFulfilmentChanged(order.shareIds[0]!, 'shipped');
        assert.equal(sent?.status, 'sent');
        assert.equal(gw.transferCalls.length, 1);
      });
    });

    describe('"when delivered or N days after shipping"', () => {
      it('sends when delivered', async () => {
        await setPayoutSettings({ holdPolicy: 'on_delivered_or_days', holdDays: 7 });
        setTransferGateway(countingGateway());
        const coop = await makeCoop();
        const order = await makeOrder([coop], { status: 'paid' });
        await scheduleTransfersForOrder(order.orderId);
        const [shipped] = await onShareFulfilmentChanged(order.shareIds[0]!, 'shipped');
        assert.equal(shipped?.status, 'held');
        assert.ok(shipped?.heldUntil && shipped.heldUntil.getTime() > Date.now() + 6 * DAY);
        const [delivered] = await onShareFulfilmentChanged(order.shareIds[0]!, 'delivered');
        assert.equal(delivered?.status, 'sent');
      });

      it('sends N days after shipping through the sweeper', async () => {
        await setPayoutSettings({ holdPolicy: 'on_delivered_or_days', holdDays: 3 });
        setTransferGateway(countingGateway());
        const coop = await makeCoop();
        const order = await makeOrder([coop], { status: 'paid' });
        await CoopShareModel.updateOne({ _id: order.shareIds[0] }, { $set: { status: 'shipped', history: [{ status: 'shipped', at: new Date(), by: null }] } });
        const [held] = await scheduleTransfersForOrder(order.orderId);
        assert.equal(held?.status, 'held');
        await sendDueTransfers(new Date(Date.now() + 2 * DAY));
        assert.equal((await TransferModel.findById(held!._id).lean())?.status, 'held');
        await sendDueTransfers(new Date(Date.now() + 4 * DAY));
        assert.equal((await TransferModel.findById(held!._id).lean())?.status, 'sent');
      });
    });

    describe('policyDue', () => {
      it('reads each policy', () => {
        const now = new Date('2026-01-10T00:00:00Z');
        assert.equal(policyDue({ holdPolicy: 'immediate', holdDays: 0 }, { status: 'paid' }, now).due, true);
        assert.equal(policyDue({ holdPolicy: 'on_shipped', holdDays: 0 }, { status: 'preparing' }, now).due, false);
        assert.equal(policyDue({ holdPolicy: 'on_shipped', holdDays: 0 }, { status: 'collected' }, now).due, true);
        assert.equal(policyDue({ holdPolicy: 'on_delivered_or_days', holdDays: 5 }, { status: 'shipped', shippedAt: new Date('2026-01-06T00:00:00Z') }, now).due, false);
        assert.equal(policyDue({ holdPolicy: 'on_delivered_or_days', holdDays: 5 }, { status: 'shipped', shippedAt: new Date('2026-01-04T00:00:00Z') }, now).due, true);
      });
    });

    describe('an admin hold', () => {
      it('keeps the transfer whatever the policy, until released', async () => {
        await setPayoutSettings({ holdPolicy: 'on_shipped', holdDays: 14 });
        const gw = countingGateway();
        setTransferGateway(gw);
        const coop = await makeCoop();
        const order = await makeOrder([coop], { status: 'paid' });
        const [t] = await scheduleTransfersForOrder(order.orderId);
        await holdTransfer(t!._id, 'checking a complaint', 'admin@example.test');
        const [still] = await onShareFulfilmentChanged(order.shareIds[0]!, 'shipped');
        assert.equal(still?.status, 'held');
        assert.equal(still?.holdReason, 'checking a complaint');
        const released = await releaseTransfer(t!._id, 'admin@example.test');
        assert.equal(released.status, 'sent');
        await assert.rejects(releaseTransfer(t!._id), { code: 'transfer_already_sent' });
        await assert.rejects(holdTransfer(t!._id, 'too late'), { code: 'transfer_already_sent' });
        assert.equal(gw.transferCalls.length, 1);
      });
    });
  });
});
