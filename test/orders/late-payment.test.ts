import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { startCheckout } from '../../src/orders/checkout.service';
import type { LateStep, Orders } from '../../src/orders/orders.service';
import { getOrder, latePaidOrders, sharesForOrder } from '../../src/orders/order-queries';
import { OrderModel, type Order } from '../../src/orders/order.model';
import { reserveStock } from '../../src/orders/reservations.service';
import { createOrderNumbers } from '../../src/orders/order-number';
import { DemoGateway } from '../../src/payments/demo-gateway';
import { PaymentProviderError, type RefundInput } from '../../src/payments/gateway';
import type { PaymentEvents } from '../../src/payments/payments.service';
import { createCommissionRates } from '../../src/payouts';
import { LedgerEntryModel } from '../../src/payouts/ledger.model';
import { RefundModel } from '../../src/payouts/refund.model';
import { TransferModel } from '../../src/payouts/transfer.model';
import { createMailer } from '../../src/platform/mail';
import { createLogger } from '../../src/platform/logger';
import { buildServices, testConfig } from '../support/app';
import { startTestSmtp, type TestSmtp } from '../support/smtp';
import { ADDRESS } from './support';
import { rand, sessionObject, signedEvent } from '../payments/factories';
import { makeCoop, makeListedProduct, onHand } from '../support/factories';

const attempt = () => randomBytes(16).toString('base64url');
const numbers = createOrderNumbers();
/** The commission rates as an app reads them. */
const commissionBpsForMany = createCommissionRates().forMany;
const logger = createLogger('silent', false);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The demo provider (it keeps sessions, so expiring and paying them is real), counting refunds and expiries. */
function countingGateway() {
  const gw = new DemoGateway();
  const refunds: RefundInput[] = [];
  const expired: string[] = [];
  const createRefund = gw.createRefund.bind(gw);
  const expire = gw.expireCheckoutSession.bind(gw);
  gw.createRefund = async (input: RefundInput) => {
    refunds.push(input);
    return createRefund(input);
  };
  gw.expireCheckoutSession = async (id: string) => {
    expired.push(id);
    return expire(id);
  };
  return Object.assign(gw, { refunds, expired });
}

/** A checkout through `gw` of `quantity` units of one product, or of several `[product, quantity]` lines. */
const checkoutOf = (gw: DemoGateway, product: Types.ObjectId | [Types.ObjectId, number][], quantity = 1, email = 'buyer@example.test') =>
  startCheckout({
    items: (Array.isArray(product) ? product : [[product, quantity] as [Types.ObjectId, number]]).map(([p, q]) => ({
      productId: String(p),
      sku: 'default',
      quantity: q,
    })),
    deliveries: {},
    email,
    address: ADDRESS,
    locale: 'en',
    attemptKey: attempt(),
    commissionDefaultBps: 1000,
    commissionFor: commissionBpsForMany,
    publicUrl: 'http://localhost:3000',
    payments: gw,
    numbers,
  });

describe('a payment for a cancelled order', () => {
  let smtp: TestSmtp;
  let gw: ReturnType<typeof countingGateway>;
  let steps: ((step: LateStep, orderId: string) => void | Promise<void>) | undefined;
  let orders: Orders;
  let events: PaymentEvents;

  before(async () => {
    smtp = await startTestSmtp();
  });
  after(() => smtp.stop());
  beforeEach(() => {
    gw = countingGateway();
    steps = undefined;
    const config = testConfig({ SMTP_URL: smtp.url });
    ({ orders, paymentEvents: events } = buildServices(
      { mailer: createMailer(config, logger), config, logger, payments: gw },
      { onStep: (s, id) => steps?.(s, id) },
    ));
  });

  /** A checkout of `quantity` units of a product with `stock` units, made through the demo provider. */
  async function placed(stock: number, quantity: number, email = `buyer-${randomBytes(4).toString('hex')}@example.test`) {
    const coop = await makeCoop();
    const product = await makeListedProduct(coop, { stock, priceCents: 1500, ivaRate: 4 });
    const order = (await getOrder((await checkoutOf(gw, product._id, quantity, email)).orderId))!;
    return { coop, product, order, email };
  }

  /** Another buyer's checkout holds `quantity` units. */
  async function anotherBuyerTakes(productId: Types.ObjectId, quantity: number) {
    await checkoutOf(gw, productId, quantity, 'other@example.test');
  }

  /** What the provider says once the buyer paid the order's session (the demo "card" succeeds even on a cancelled order: a SEPA debit that cleared). */
  async function paidEvent(order: Order) {
    const sessionId = order.payment.sessionId!;
    return {
      orderId: String(order._id),
      sessionId,
      paymentIntentId: `pi_late_${String(order._id)}`,
      chargeId: `ch_late_${String(order._id)}`,
      amount: order.totalCents,
      currency: 'eur',
    };
  }

  /** The stale-hold sweeper cancels the order (its hold is long expired), as happens while a SEPA debit clears. */
  async function sweptAway(order: Order) {
    await orders.sweepStaleReservations(new Date(Date.now() + 2 * 60 * 60_000));
    assert.equal((await getOrder(order._id))?.status, 'cancelled');
  }

  describe('when its stock can be taken again', () => {
    it('takes the stock again, moves the order and its shares to paid, records the commission and tells the co-op', async () => {
      const { coop, product, order } = await placed(5, 2);
      await sweptAway(order);
      assert.equal(await onHand(product._id), 5);

      const r = await orders.markOrderPaid(await paidEvent(order));
      assert.equal(r.status, 'paid');
      const after = (await getOrder(order._id))!;
      assert.equal(after.status, 'paid');
      assert.equal(after.latePayment?.state, 'retaken');
      assert.deepEqual(
        (await sharesForOrder(order._id)).map((s) => s.status),
        ['paid'],
      );
      assert.equal(await onHand(product._id), 3);
      const ledger = await LedgerEntryModel.find({ order: order._id }).lean();
      assert.deepEqual(ledger.map((e) => [e.kind, e.amount]).sort(), [
        ['charge', order.totalCents],
        ['commission', 300],
      ]);
      await smtp.waitFor(coop.contact!.email!, (m) => m.subject.includes(order.number));
      assert.equal(gw.refunds.length, 0);
    });
  });

  describe('when its stock is gone', () => {
    it('refunds the buyer in full once, mails them, and lists the order for the admin', async () => {
      const { product, order, email } = await placed(2, 2);
      await sweptAway(order);
      // Another buyer takes the two units meanwhile.
      await anotherBuyerTakes(product._id, 2);
      assert.equal(await onHand(product._id), 0);

      const r = await orders.markOrderPaid(await paidEvent(order));
      assert.equal(r.status, 'refunded');
      const after = (await getOrder(order._id))!;
      assert.equal(after.status, 'cancelled');
      assert.equal(after.latePayment?.state, 'refunded');
      assert.deepEqual(
        (await sharesForOrder(order._id)).map((s) => s.status),
        ['cancelled'],
      );
      assert.equal(await onHand(product._id), 0);
      assert.equal(gw.refunds.length, 1);
      assert.deepEqual(
        [gw.refunds[0]!.amount, gw.refunds[0]!.idempotencyKey],
        [order.totalCents, `refund:${String(order._id)}:late-payment`],
      );
      // The platform held the whole co-op part and gave it back: no co-op owes anything.
      const ledger = await LedgerEntryModel.find({ order: order._id }).lean();
      assert.equal(
        ledger.reduce((n, e) => n + (e.kind === 'charge' || e.kind === 'refund' ? e.amount : 0), 0),
        0,
      );
      assert.equal(
        ledger.filter((e) => e.kind === 'commission').reduce((n, e) => n + e.amount, 0),
        0,
      );
      assert.equal(ledger.filter((e) => e.kind === 'owed' || e.kind === 'reversal').length, 0);
      assert.equal(await TransferModel.countDocuments({ order: order._id }), 0, 'no transfer for a share the co-op never had');
      const mail = await smtp.waitFor(email, (m) => m.subject.includes(order.number));
      assert.match(mail.subject, /refunded/);
      assert.match(mail.text, /refunded it in full/);

      assert.match(mail.text, new RegExp(`/orders/view/${order.viewToken}`));
      const listed = (await latePaidOrders()).find((o) => String(o._id) === String(order._id));
      assert.equal(listed?.latePayment?.state, 'refunded');

      // Again (a redelivery): nothing more.
      assert.equal((await orders.markOrderPaid(await paidEvent(order))).status, 'refunded');
      assert.equal(gw.refunds.length, 1);
      assert.equal(smtp.messages.filter((m) => m.to.includes(email)).length, 1);
    });
  });

  describe('when the provider refuses the refund', () => {
    it('leaves the late payment refunding for the admin and mails nobody that it was refunded', async () => {
      const { product, order, email } = await placed(1, 1);
      await sweptAway(order);
      await anotherBuyerTakes(product._id, 1);
      gw.createRefund = async () => {
        throw new PaymentProviderError('charge_disputed', 'The charge is disputed', false);
      };
      await assert.rejects(orders.markOrderPaid(await paidEvent(order)), { code: 'refund_failed' });
      await assert.rejects(orders.markOrderPaid(await paidEvent(order)), { code: 'late_refund_failed' });
      assert.equal((await getOrder(order._id))?.latePayment?.state, 'refunding');
      assert.equal((await RefundModel.findOne({ order: order._id }).lean())?.status, 'failed');
      assert.equal(smtp.messages.filter((m) => m.to.includes(email)).length, 0);
      assert.equal((await latePaidOrders()).find((o) => String(o._id) === String(order._id))?.latePayment?.state, 'refunding');
    });
  });

  describe('when the same paid event comes 20 times at once', () => {
    it('has one outcome: the stock taken once, no refund', async () => {
      const { product, order } = await placed(3, 2);
      await sweptAway(order);
      const event = await paidEvent(order);
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => orders.markOrderPaid(event)));
      assert.deepEqual(
        results.filter((r) => r.status === 'rejected'),
        [],
      );
      const statuses = results.map((r) => (r as PromiseFulfilledResult<{ status: string }>).value.status);
      assert.equal(statuses.filter((s) => s === 'paid').length >= 1, true);
      assert.deepEqual(
        [...new Set(statuses)].filter((s) => s !== 'paid' && s !== 'already_paid'),
        [],
      );
      assert.equal(await onHand(product._id), 1);
      assert.equal((await getOrder(order._id))?.status, 'paid');
      assert.equal(gw.refunds.length, 0);
      assert.equal(await LedgerEntryModel.countDocuments({ order: order._id, kind: 'commission' }), 1);
    });

    it('through the webhook: processed once, the stock taken once', async () => {
      const { product, order } = await placed(3, 2);
      await sweptAway(order);
      const session = {
        ...sessionObject({
          orderId: String(order._id),
          number: order.number,
          amount: order.totalCents,
          paid: true,
          sessionId: order.payment.sessionId,
        }),
        payment_intent: { id: `pi_${rand()}`, latest_charge: `ch_${rand()}` },
      };
      const { event, payload } = signedEvent('checkout.session.async_payment_succeeded', session);
      const webhookEvent = {
        id: event.id,
        type: event.type,
        created: event.created,
        livemode: false,
        object: session as unknown as Record<string, unknown>,
      };
      const outcomes = await Promise.all(Array.from({ length: 20 }, () => events.processWebhook(webhookEvent, 'platform', payload)));
      assert.equal(outcomes.filter((o) => o === 'processed').length, 1);
      assert.equal(await onHand(product._id), 1);
      assert.equal((await getOrder(order._id))?.status, 'paid');
      assert.equal(gw.refunds.length, 0);
    });

    it('refunds once when the stock is gone', async () => {
      const { product, order } = await placed(1, 1);
      await sweptAway(order);
      await anotherBuyerTakes(product._id, 1);
      const event = await paidEvent(order);
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => orders.markOrderPaid(event)));
      assert.deepEqual(
        results.filter((r) => r.status === 'rejected'),
        [],
      );
      assert.deepEqual([...new Set(results.map((r) => (r as PromiseFulfilledResult<{ status: string }>).value.status))], ['refunded']);
      assert.equal(gw.refunds.length, 1);
      assert.equal(await RefundModel.countDocuments({ order: order._id }), 1);
      assert.equal(await onHand(product._id), 0);
    });
  });

  describe('when a cancel races the payment', () => {
    it('ends paid with the stock taken exactly once, whichever wins, and refunds nobody', async () => {
      const runs = await Promise.all(
        Array.from({ length: 6 }, async () => {
          const { product, order } = await placed(4, 1);
          const event = await paidEvent(order);
          await Promise.all([orders.releaseOrder({ orderId: String(order._id), reason: 'cancelled' }), orders.markOrderPaid(event)]);
          // Whatever happened, a redelivery settles it.
          await orders.markOrderPaid(event);
          return { product, order };
        }),
      );
      for (const { product, order } of runs) {
        assert.equal((await getOrder(order._id))?.status, 'paid');
        assert.equal(await onHand(product._id), 3);
        assert.deepEqual(
          (await sharesForOrder(order._id)).map((s) => s.status),
          ['paid'],
        );
      }
      assert.equal(gw.refunds.length, 0);
    });
  });

  describe('when a late payment and another buyer race for the last unit', () => {
    it('sells the unit once: to the payer, or to the other buyer and the payer is refunded once', async () => {
      const runs = await Promise.all(
        Array.from({ length: 6 }, async (_, i) => {
          const { product, order } = await placed(1, 1);
          const event = await paidEvent(order);
          // Cancelled, then the late payment races the other buyer, each starting a little before or after the other, so both endings happen.
          await orders.releaseOrder({ orderId: String(order._id), reason: 'cancelled' });
          const [other] = await Promise.allSettled([
            sleep(i * 30).then(() => checkoutOf(gw, product._id, 1, 'other@example.test')),
            sleep((5 - i) * 30).then(() => orders.markOrderPaid(event)),
          ]);
          await orders.markOrderPaid(event); // the redelivery settles whatever is left
          return { product, order, otherGotIt: other.status === 'fulfilled' };
        }),
      );
      for (const { product, order, otherGotIt } of runs) {
        const after = (await getOrder(order._id))!;
        assert.equal(await onHand(product._id), 0);
        const refunds = await RefundModel.countDocuments({ order: order._id });
        if (otherGotIt) {
          assert.deepEqual([after.status, after.latePayment?.state, refunds], ['cancelled', 'refunded', 1]);
        } else {
          assert.deepEqual([after.status, refunds], ['paid', 0]);
        }
      }
    });
  });

  describe('when the settlement stops midway', () => {
    it('after the stock was taken again, the redelivered event finishes it without taking it twice', async () => {
      const { product, order } = await placed(5, 2);
      await sweptAway(order);
      let crashes = 1;
      steps = (step) => {
        if (step === 'stock_taken' && crashes-- > 0) throw new Error('crash after the stock was taken');
      };
      await assert.rejects(orders.markOrderPaid(await paidEvent(order)), /crash after the stock/);
      assert.equal(await onHand(product._id), 3);
      assert.equal((await getOrder(order._id))?.status, 'cancelled');

      const r = await orders.markOrderPaid(await paidEvent(order));
      assert.equal(r.status, 'paid');
      assert.equal(await onHand(product._id), 3);
      assert.deepEqual(
        (await sharesForOrder(order._id)).map((s) => s.status),
        ['paid'],
      );
    });

    it('when its worker died holding one line of two, the next delivery gives that hold back and takes both once', async () => {
      const coop = await makeCoop();
      const oil = await makeListedProduct(coop, { stock: 4 });
      const honey = await makeListedProduct(coop, { stock: 4 });
      const s = await checkoutOf(gw, [
        [oil._id, 1],
        [honey._id, 2],
      ]);
      const order = (await getOrder(s.orderId))!;
      await sweptAway(order);
      // What a process that died after its first hold leaves: the claim with an old lease, one line held.
      const holdId = new Types.ObjectId();
      await reserveStock(holdId, [{ stockId: `${String(oil._id)}:default`, quantity: 1 }], new Date(Date.now() + 60_000));
      await OrderModel.updateOne(
        { _id: order._id },
        {
          $set: {
            'payment.paidAt': new Date(),
            'payment.paymentIntentId': 'pi_dead',
            latePayment: { state: 'retaking', at: new Date(), holdId, leaseUntil: new Date(Date.now() - 1) },
          },
        },
      );
      assert.equal(await onHand(oil._id), 3);

      const r = await orders.markOrderPaid(await paidEvent(order));
      assert.equal(r.status, 'paid');
      assert.equal(await onHand(oil._id), 3);
      assert.equal(await onHand(honey._id), 2);
      const after = (await getOrder(order._id))!;
      assert.notEqual(String(after.latePayment?.holdId), String(holdId));
      assert.deepEqual(
        (await sharesForOrder(order._id)).map((x) => x.status),
        ['paid'],
      );
    });

    it('after the refund was made, the redelivered event finishes it with one refund and one mail', async () => {
      const { product, order, email } = await placed(1, 1);
      await sweptAway(order);
      await anotherBuyerTakes(product._id, 1);
      let crashes = 1;
      steps = (step) => {
        if (step === 'refund_created' && crashes-- > 0) throw new Error('crash after the refund');
      };
      await assert.rejects(orders.markOrderPaid(await paidEvent(order)), /crash after the refund/);
      assert.equal(gw.refunds.length, 1);
      assert.equal((await getOrder(order._id))?.latePayment?.state, 'refunding');

      assert.equal((await orders.markOrderPaid(await paidEvent(order))).status, 'refunded');
      assert.equal(await RefundModel.countDocuments({ order: order._id }), 1);
      // The refund service's own key: a repeat reaches the provider with the same key, so Stripe makes one refund.
      assert.equal(new Set(gw.refunds.map((x) => x.idempotencyKey)).size, 1);
      await smtp.waitFor(email, (m) => m.subject.includes(order.number));
      assert.equal(smtp.messages.filter((m) => m.to.includes(email)).length, 1);
      assert.equal((await getOrder(order._id))?.latePayment?.state, 'refunded');
    });
  });
});

describe('releasing a hold', () => {
  let gw: ReturnType<typeof countingGateway>;
  let orders: Orders;
  let events: PaymentEvents;
  beforeEach(() => {
    gw = countingGateway();
    ({ orders, paymentEvents: events } = buildServices({ mailer: { send: async () => undefined }, logger, payments: gw }));
  });

  async function placed(stock = 3) {
    const coop = await makeCoop();
    const product = await makeListedProduct(coop, { stock });
    const s = await checkoutOf(gw, product._id, 1);
    return { product, order: (await getOrder(s.orderId))! };
  }

  it('expires its Checkout Session, so the old session cannot be paid', async () => {
    const { product, order } = await placed();
    await orders.releaseOrder({ orderId: String(order._id), reason: 'cancelled' });
    assert.deepEqual(gw.expired, [order.payment.sessionId]);
    assert.equal((await gw.session(order.payment.sessionId!))?.status, 'expired');
    await assert.rejects(gw.pay(order.payment.sessionId!), { code: 'session_expired' });
    assert.equal(await onHand(product._id), 3);
    // Twice: still one expired session, nothing given back twice.
    await orders.releaseOrder({ orderId: String(order._id), reason: 'cancelled' });
    assert.equal(await onHand(product._id), 3);
  });

  it('finds a session already paid and marks the order paid instead of cancelling it', async () => {
    const { product, order } = await placed();
    await gw.pay(order.payment.sessionId!); // paid at the provider; its webhook has not come yet
    const r = await orders.releaseOrder({ orderId: String(order._id), reason: 'cancelled' });
    assert.equal(r.status, 'paid');
    assert.equal((await getOrder(order._id))?.status, 'paid');
    assert.equal(await onHand(product._id), 2);
    // The webhook, late: nothing changes.
    await events.reconcileCheckoutSession(order.payment.sessionId!);
    assert.equal(await onHand(product._id), 2);
  });

  it('leaves the expiry call out when the session ended on its own', async () => {
    const { order } = await placed();
    await orders.releaseOrder({ orderId: String(order._id), sessionId: order.payment.sessionId, reason: 'expired' });
    assert.deepEqual(gw.expired, []);
    assert.equal((await getOrder(order._id))?.status, 'cancelled');
  });

  it('does not cancel an order whose id only names late holds', async () => {
    assert.deepEqual(await orders.releaseOrder({ orderId: String(new Types.ObjectId()), reason: 'stale' }), { released: 0, status: null });
  });
});
