import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import mongoose, { Types, type Model } from 'mongoose';
import { startCheckout, quoteCheckout, CheckoutPaymentError } from '../../src/orders/checkout.service';
import { checkoutLines } from '../../src/orders/checkout-session';
import { transitionShare, type Orders } from '../../src/orders/orders.service';
import { orderByViewToken, getOrder, sharesForOrder, reservationsOf } from '../../src/orders/order-queries';
import { createCommissionRates } from '../../src/payouts';
import { OrderKeyModel, OrderModel } from '../../src/orders/order.model';
import { ReservationModel } from '../../src/orders/reservation.model';
import { createOrderNumbers, formatOrderNumber } from '../../src/orders/order-number';
import { CoopShareModel } from '../../src/orders/coop-share.model';
import { LedgerEntryModel } from '../../src/payouts/ledger.model';
import { CoopModel } from '../../src/coops/coop.model';
import { CartModel } from '../../src/cart/cart.model';
import { testEngines } from '../support/engines';
import { MemoryMailer, buildServices } from '../support/app';
import { ADDRESS, recordingGateway } from './support';
import { makeCoop, makeListedProduct, onHand } from '../support/factories';

const attempt = () => randomBytes(16).toString('base64url');
/** This file's order numbers (an app has one: its counter is the process's memory). */
const numbers = createOrderNumbers();
/** The commission rates as an app reads them. */
const commissionBpsForMany = createCommissionRates().forMany;

function input(
  gateway: ReturnType<typeof recordingGateway>,
  items: { productId: string; sku: string; quantity: number }[],
  over: Partial<Parameters<typeof startCheckout>[0]> = {},
) {
  return {
    items,
    deliveries: {},
    email: 'buyer@example.test',
    address: ADDRESS,
    locale: 'it' as const,
    attemptKey: attempt(),
    commissionDefaultBps: 1000,
    commissionFor: commissionBpsForMany,
    publicUrl: 'http://localhost:3000',
    payments: gateway,
    numbers,
    ...over,
  };
}

describe('checkout.service', () => {
  const mailer = new MemoryMailer();
  let orders: Orders;
  before(() => {
    orders = buildServices({ mailer, env: { PUBLIC_URL: 'http://localhost:3000' } }).orders;
  });

  describe('quoteCheckout', () => {
    it('splits each co-op part into its net and the commission', async () => {
      const a = await makeCoop({ shipping: { flatCents: 500, freeOverCents: 0 } });
      const b = await makeCoop({ shipping: { flatCents: 700, freeOverCents: 1000, pickup: true } });
      const pa = await makeListedProduct(a, { priceCents: 2000 });
      const pb = await makeListedProduct(b, { priceCents: 600, ivaRate: 22 });
      const q = await quoteCheckout(
        [
          { productId: String(pa._id), sku: 'default', quantity: 1 },
          { productId: String(pb._id), sku: 'default', quantity: 1 },
        ],
        { [String(b._id)]: 'pickup' },
        1000,
        commissionBpsForMany,
      );
      const sa = q.shares.find((s) => s.coopId === String(a._id))!;
      const sb = q.shares.find((s) => s.coopId === String(b._id))!;
      assert.deepEqual([sa.subtotalCents, sa.shippingCents, sa.commissionCents, sa.netCents], [2000, 500, 200, 2300]);
      assert.deepEqual([sb.delivery, sb.shippingCents, sb.commissionCents, sb.netCents], ['pickup', 0, 60, 540]);
      assert.equal(q.totalCents, 3100);
      assert.equal(q.platformCents, 260);
    });

    describe('when the cart cannot be bought as it is', () => {
      it('refuses an empty cart', async () => {
        await assert.rejects(quoteCheckout([], {}, 1000, commissionBpsForMany), { code: 'cart_empty' });
      });
      it('refuses a paused co-op', async () => {
        const c = await makeCoop();
        const p = await makeListedProduct(c);
        await CoopModel.updateOne({ _id: c._id }, { $set: { status: 'paused' } });
        await assert.rejects(quoteCheckout([{ productId: String(p._id), sku: 'default', quantity: 1 }], {}, 1000, commissionBpsForMany), {
          code: 'cart_changed',
        });
      });
      it('refuses an unpublished product', async () => {
        const c = await makeCoop();
        const p = await makeListedProduct(c, { published: false });
        await assert.rejects(quoteCheckout([{ productId: String(p._id), sku: 'default', quantity: 1 }], {}, 1000, commissionBpsForMany), {
          code: 'cart_changed',
        });
      });
      it('refuses more than is on hand', async () => {
        const c = await makeCoop();
        const p = await makeListedProduct(c, { stock: 2 });
        await assert.rejects(quoteCheckout([{ productId: String(p._id), sku: 'default', quantity: 3 }], {}, 1000, commissionBpsForMany), {
          code: 'cart_changed',
        });
      });
    });
  });

  describe('startCheckout', () => {
    describe('with 50 concurrent buyers for the last 10 units', () => {
      it('sells exactly 10 units and never goes below zero', async function () {
        this.timeout(60_000);
        const c = await makeCoop();
        const p = await makeListedProduct(c, { stock: 10 });
        const gw = recordingGateway();
        const items = [{ productId: String(p._id), sku: 'default', quantity: 1 }];
        const results = await Promise.allSettled(Array.from({ length: 50 }, () => startCheckout(input(gw, items))));
        const won = results.filter((r): r is PromiseFulfilledResult<Awaited<ReturnType<typeof startCheckout>>> => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        assert.equal(won.length, 10);
        for (const r of lost) assert.ok(['out_of_stock', 'cart_changed'].includes((r.reason as { code: string }).code), String(r.reason));
        assert.equal(await onHand(p._id), 0);
        const held = await ReservationModel.find({ stock: `${p._id}:default` }).lean();
        assert.equal(
          held.reduce((n, r) => n + r.quantity, 0),
          10,
        );
        for (const w of won) {
          const order = await getOrder(w.value.orderId);
          await orders.markOrderPaid({ orderId: w.value.orderId, sessionId: 'cs_test', amount: order!.totalCents, currency: 'eur' });
        }
        const sold = await ReservationModel.find({ stock: `${p._id}:default`, state: 'sold' }).lean();
        assert.equal(sold.length, 10);
        assert.equal(await onHand(p._id), 0);
      });
    });

    describe('the documents it writes with the driver (no Mongoose document)', () => {
      /** Casting by the schema changes nothing, its defaults add nothing, and it validates. */
      async function assertShapedBy(model: Model<any>, doc: Record<string, unknown> | null) {
        assert.ok(doc, `a ${model.modelName} was written`);
        const cast = model.castObject(doc);
        model.applyDefaults(cast);
        assert.deepEqual(cast, doc, `${model.modelName} as its schema would write it`);
        await model.validate(doc);
      }

      it('are what the schemas would have written', async () => {
        const c = await makeCoop();
        const p = await makeListedProduct(c, { stock: 5 });
        const inp = input(recordingGateway(), [{ productId: String(p._id), sku: 'default', quantity: 2 }]);
        const started = await startCheckout(inp);
        const db = mongoose.connection.db!;
        const order = await db.collection('orders').findOne({ _id: new Types.ObjectId(started.orderId) });
        await assertShapedBy(OrderModel, order);
        assert.equal(order!.__v, 0);
        for (const share of await db.collection('coop_shares').find({ order: order!._id }).toArray())
          await assertShapedBy(CoopShareModel, share);
        await assertShapedBy(ReservationModel, await db.collection('reservations').findOne({ order: order!._id }));
        const keys = await db.collection('order_keys').find({ order: order!._id }).toArray();
        assert.deepEqual(keys.map((k) => String(k._id).split(':')[0]).sort(), ['attempt', 'number', 'token']);
        for (const k of keys) await assertShapedBy(OrderKeyModel, k);
      });
    });

    describe('when another process took the next order numbers', () => {
      it('takes the next free one and still writes the guest link', async () => {
        const c = await makeCoop();
        const p = await makeListedProduct(c, { stock: 5 });
        const taken = await numbers.candidate();
        const seq = Number(taken.number.slice(-6));
        const other = new Types.ObjectId();
        const numberOf = (n: number) => formatOrderNumber(new Date().getUTCFullYear(), n);
        await OrderKeyModel.insertMany([seq + 1, seq + 2].map((n) => ({ _id: `number:${numberOf(n)}`, order: other })));
        const started = await startCheckout(input(recordingGateway(), [{ productId: String(p._id), sku: 'default', quantity: 1 }]));
        assert.equal(started.orderNumber, numberOf(seq + 3));
        assert.equal(String((await orderByViewToken(started.viewToken))?._id), started.orderId);
      });
    });

    describe('when the same attempt is submitted twice at once', () => {
      it('makes one order and one Checkout Session', async () => {
        const c = await makeCoop();
        const p = await makeListedProduct(c, { stock: 5 });
        const gw = recordingGateway();
        const same = input(gw, [{ productId: String(p._id), sku: 'default', quantity: 2 }]);
        const [a, b] = await Promise.all([startCheckout(same), startCheckout(same)]);
        assert.equal(a.orderId, b.orderId);
        assert.equal(a.url, b.url);
        assert.equal(gw.calls.length, 1);
        assert.equal(gw.calls[0]!.idempotencyKey, `checkout:${a.orderId}`);
        assert.equal(gw.calls[0]!.orderNumber, a.orderNumber);
        assert.equal(await onHand(p._id), 3);
        const third = await startCheckout(same);
        assert.equal(third.orderId, a.orderId);
        assert.equal(gw.calls.length, 1);
      });
    });

    describe('when a line runs out', () => {
      it('holds nothing, creates no order and frees the attempt', async () => {
        const c = await makeCoop();
        const p1 = await makeListedProduct(c, { stock: 5 });
        const p2 = await makeListedProduct(c, { stock: 1 });
        const gw = recordingGateway();
        const inp = input(gw, [
          { productId: String(p1._id), sku: 'default', quantity: 2 },
          { productId: String(p2._id), sku: 'default', quantity: 1 },
        ]);
        // Someone else takes the last unit of p2 between the quote and the hold.
        await startCheckout(input(gw, [{ productId: String(p2._id), sku: 'default', quantity: 1 }]));
        await assert.rejects(startCheckout(inp), (e: { code?: string }) => ['out_of_stock', 'cart_changed'].includes(e.code ?? ''));
        assert.equal(await onHand(p1._id), 5);
        assert.equal(await OrderKeyModel.findById(`attempt:${inp.attemptKey}`).lean(), null);
      });
    });

    describe('when the same attempt is submitted twice and the first is refused', () => {
      it('refuses the second too, at once, instead of waiting for an order that never comes', async () => {
        const c = await makeCoop();
        const p = await makeListedProduct(c, { stock: 1 });
        const gw = recordingGateway();
        const item = `${p._id}:default`;
        // Another process sold the last unit and this one's catalogue has not heard yet: the cart is priced as buyable, the hold is refused.
        const db = mongoose.connection.db!;
        await db.collection<{ _id: string }>('stock_levels').updateOne({ _id: item }, { $set: { onHand: 0 } });
        const same = input(gw, [{ productId: String(p._id), sku: 'default', quantity: 1 }]);
        const started = Date.now();
        const results = Promise.allSettled([startCheckout(same), startCheckout(same)]);
        for (const r of await results) {
          assert.equal(r.status, 'rejected');
          assert.ok(
            ['out_of_stock', 'cart_changed'].includes((r as PromiseRejectedResult).reason.code),
            String((r as PromiseRejectedResult).reason),
          );
        }
        assert.ok(Date.now() - started < 3_000, `answered in ${Date.now() - started} ms`);
        assert.equal(await OrderKeyModel.findById(`attempt:${same.attemptKey}`).lean(), null);
        assert.equal(gw.calls.length, 0);
      });
    });

    describe('when Stripe is down', () => {
      it('answers within 10 s, keeps the order pending, and a retry reuses the idempotency key', async function () {
        this.timeout(60_000);
        const c = await makeCoop();
        const p = await makeListedProduct(c, { stock: 5 });
        const gw = recordingGateway();
        const inp = input(gw, [{ productId: String(p._id), sku: 'default', quantity: 1 }]);
        const mock = testEngines().stripeMock;
        await mock.stop();
        let orderId = '';
        try {
          const t0 = Date.now();
          await assert.rejects(startCheckout(inp), (e: unknown) => {
            assert.ok(e instanceof CheckoutPaymentError);
            orderId = e.orderId;
            return true;
          });
          assert.ok(Date.now() - t0 < 10_000, `took ${Date.now() - t0} ms`);
          const order = await getOrder(orderId);
          assert.equal(order?.status, 'pending_payment');
        } finally {
          await mock.start();
        }
        const retried = await startCheckout(inp);
        assert.equal(retried.orderId, orderId);
        assert.ok(retried.url);
        const keys = new Set(gw.calls.map((x) => x.idempotencyKey));
        assert.deepEqual([...keys], [`checkout:${orderId}`]);
        assert.equal(await onHand(p._id), 4);
      });
    });
  });

  describe('markOrderPaid', () => {
    async function placed(stock = 5) {
      const a = await makeCoop();
      const b = await makeCoop();
      const pa = await makeListedProduct(a, { stock, priceCents: 1500, ivaRate: 4, category: 'olive-oil', nameIt: 'Olio nuovo' });
      const pb = await makeListedProduct(b, { stock, priceCents: 900, ivaRate: 10 });
      const gw = recordingGateway();
      const started = await startCheckout(
        input(gw, [
          { productId: String(pa._id), sku: 'default', quantity: 2 },
          { productId: String(pb._id), sku: 'default', quantity: 1 },
        ]),
      );
      return { a, b, pa, pb, started, order: (await getOrder(started.orderId))! };
    }

    it('marks the order and its shares paid once, records the charge, and mails the buyer and each co-op', async () => {
      const { a, b, started, order } = await placed();
      const before = mailer.sent.length;
      const first = await orders.markOrderPaid({
        orderId: started.orderId,
        sessionId: 'cs_1',
        chargeId: 'ch_1',
        paymentIntentId: 'pi_1',
        amount: order.totalCents,
        currency: 'eur',
      });
      const again = await orders.markOrderPaid({
        orderId: started.orderId,
        sessionId: 'cs_1',
        chargeId: 'ch_1',
        paymentIntentId: 'pi_1',
        amount: order.totalCents,
        currency: 'eur',
      });
      assert.equal(first.status, 'paid');
      assert.equal(again.status, 'already_paid');
      const after = await getOrder(started.orderId);
      assert.equal(after?.status, 'paid');
      assert.equal(after?.payment.chargeId, 'ch_1');
      const shares = await sharesForOrder(started.orderId);
      assert.deepEqual(
        shares.map((s) => s.status),
        ['paid', 'paid'],
      );
      const charge = await LedgerEntryModel.findById(`charge:${started.orderId}`).lean();
      assert.equal(charge?.amount, order.totalCents);
      const mails = mailer.sent.slice(before);
      assert.equal(mails.length, 3);
      const receipt = mails.find((m) => m.to === 'buyer@example.test')!;
      assert.match(receipt.subject, new RegExp(order.number));
      assert.match(receipt.text, /IVA 4%/);
      assert.match(receipt.text, /IVA 10%/);
      const toA = mails.find((m) => m.to === a.contact?.email)!;
      const toB = mails.find((m) => m.to === b.contact?.email)!;
      assert.match(toA.text, /Olio/);
      assert.ok(toA.text.includes(order.lines.find((l) => String(l.coop) === String(a._id))!.name.it));
      assert.ok(!toA.text.includes(order.lines.find((l) => String(l.coop) === String(b._id))!.name.it));
      assert.ok(toB.text.includes(order.lines.find((l) => String(l.coop) === String(b._id))!.name.it));
    });

    it("writes each co-op's commission in the same step as the charge", async () => {
      const { a, b, started, order } = await placed();
      await orders.markOrderPaid({
        orderId: started.orderId,
        sessionId: 'cs_c',
        chargeId: 'ch_c',
        paymentIntentId: 'pi_c',
        amount: order.totalCents,
        currency: 'eur',
      });
      // No sweeper has run: the entries are there when the order is paid.
      const entries = await LedgerEntryModel.find({ order: order._id }).lean();
      assert.deepEqual(
        entries.map((e) => e._id).sort(),
        [`charge:${started.orderId}`, `commission:${started.orderId}:${a._id}`, `commission:${started.orderId}:${b._id}`].sort(),
      );
      const shares = await sharesForOrder(started.orderId);
      assert.equal(
        entries.filter((e) => e.kind === 'commission').reduce((n, e) => n + e.amount, 0),
        shares.reduce((n, s) => n + s.commissionCents, 0),
      );
    });

    it('moves the order once when 20 payment calls come at once: one receipt, the stock sold once', async () => {
      const { pa, started, order } = await placed();
      const before = mailer.sent.length;
      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          orders.markOrderPaid({
            orderId: started.orderId,
            sessionId: 'cs_20',
            chargeId: 'ch_20',
            paymentIntentId: 'pi_20',
            amount: order.totalCents,
            currency: 'eur',
          }),
        ),
      );
      assert.equal(results.filter((r) => r.status === 'paid').length, 1);
      assert.equal(results.filter((r) => r.status === 'already_paid').length, 19);
      assert.equal(mailer.sent.length - before, 3);
      assert.equal(await onHand(pa._id), 3);
      assert.deepEqual(
        (await reservationsOf(started.orderId)).map((r) => r.state),
        ['sold', 'sold'],
      );
      assert.equal(await LedgerEntryModel.countDocuments({ order: order._id }), 3);
    });

    it('finishes a payment that stopped right after the order moved to paid, when the event comes again', async () => {
      const { pa, started, order } = await placed();
      const before = mailer.sent.length;
      // The crash: the guarded move to paid was written, nothing after it.
      await OrderModel.updateOne(
        { _id: order._id, status: 'pending_payment' },
        { $set: { status: 'paid', 'payment.paidAt': new Date(), 'payment.chargeId': 'ch_crash', 'payment.settlingSince': new Date() } },
      );
      const r = await orders.markOrderPaid({
        orderId: started.orderId,
        sessionId: 'cs_crash',
        chargeId: 'ch_crash',
        paymentIntentId: 'pi_crash',
        amount: order.totalCents,
        currency: 'eur',
      });
      assert.equal(r.status, 'already_paid');
      assert.deepEqual(
        (await sharesForOrder(started.orderId)).map((s) => s.status),
        ['paid', 'paid'],
      );
      assert.deepEqual(
        (await reservationsOf(started.orderId)).map((x) => x.state),
        ['sold', 'sold'],
      );
      assert.equal(await LedgerEntryModel.countDocuments({ order: order._id }), 3);
      assert.equal(mailer.sent.length - before, 3);
      assert.equal(await onHand(pa._id), 3);
      // Once settled, another delivery does nothing more.
      await orders.markOrderPaid({
        orderId: started.orderId,
        sessionId: 'cs_crash',
        chargeId: 'ch_crash',
        paymentIntentId: 'pi_crash',
        amount: order.totalCents,
        currency: 'eur',
      });
      assert.equal(mailer.sent.length - before, 3);
      assert.ok((await getOrder(started.orderId))?.payment.settledAt);
    });

    it('does not mail again for an order paid before settlements were recorded, when its event comes again', async () => {
      const { started, order } = await placed();
      await orders.markOrderPaid({
        orderId: started.orderId,
        sessionId: 'cs_old',
        chargeId: 'ch_old',
        paymentIntentId: 'pi_old',
        amount: order.totalCents,
        currency: 'eur',
      });
      // As the previous code left a paid order: no settlement marks.
      await OrderModel.updateOne({ _id: order._id }, { $unset: { 'payment.settlingSince': 1, 'payment.settledAt': 1 } });
      await mongoose.connection.collection('claims').deleteOne({ _id: `mail:paid:${started.orderId}` as never });
      const before = mailer.sent.length;
      assert.equal(
        (
          await orders.markOrderPaid({
            orderId: started.orderId,
            sessionId: 'cs_old',
            chargeId: 'ch_old',
            paymentIntentId: 'pi_old',
            amount: order.totalCents,
            currency: 'eur',
          })
        ).status,
        'already_paid',
      );
      assert.equal(mailer.sent.length, before);
      assert.ok((await getOrder(started.orderId))?.payment.settledAt);
    });

    it("empties a signed-in buyer's saved cart", async () => {
      const c = await makeCoop();
      const p = await makeListedProduct(c);
      const userId = String(new Types.ObjectId());
      const items = [{ productId: String(p._id), sku: 'default', quantity: 1 }];
      await CartModel.create({ _id: userId, items });
      const s = await startCheckout(input(recordingGateway(), items, { userId }));
      const order = (await getOrder(s.orderId))!;
      await orders.markOrderPaid({ orderId: s.orderId, sessionId: 'cs', amount: order.totalCents, currency: 'eur' });
      assert.deepEqual((await CartModel.findById(userId).lean())?.items, []);
    });

    it('flags an order paid with the wrong amount and does not fulfil it', async () => {
      const { started, order } = await placed();
      const r = await orders.markOrderPaid({ orderId: started.orderId, sessionId: 'cs_1', amount: order.totalCents - 1, currency: 'eur' });
      assert.equal(r.status, 'flagged');
      const after = await getOrder(started.orderId);
      assert.equal(after?.status, 'pending_payment');
      assert.ok(after?.flags.includes('amount_mismatch'));
      const r2 = await orders.markOrderPaid({ orderId: started.orderId, sessionId: 'cs_1', amount: order.totalCents, currency: 'usd' });
      assert.equal(r2.status, 'flagged');
    });
  });

  describe('releaseOrder', () => {
    it('gives the stock back once and cancels the unpaid order', async () => {
      const c = await makeCoop();
      const p = await makeListedProduct(c, { stock: 4 });
      const gw = recordingGateway();
      const s = await startCheckout(input(gw, [{ productId: String(p._id), sku: 'default', quantity: 3 }]));
      assert.equal(await onHand(p._id), 1);
      await Promise.all([
        orders.releaseOrder({ orderId: s.orderId, reason: 'expired' }),
        orders.releaseOrder({ orderId: s.orderId, reason: 'expired' }),
      ]);
      assert.equal(await onHand(p._id), 4);
      assert.equal((await getOrder(s.orderId))?.status, 'cancelled');
    });

    it('never cancels a paid order', async () => {
      const c = await makeCoop();
      const p = await makeListedProduct(c, { stock: 4 });
      const s = await startCheckout(input(recordingGateway(), [{ productId: String(p._id), sku: 'default', quantity: 1 }]));
      const order = (await getOrder(s.orderId))!;
      await orders.markOrderPaid({ orderId: s.orderId, sessionId: 'cs', amount: order.totalCents, currency: 'eur' });
      await orders.releaseOrder({ orderId: s.orderId, reason: 'expired' });
      assert.equal((await getOrder(s.orderId))?.status, 'paid');
      assert.equal(await onHand(p._id), 3);
    });
  });

  describe('sweepStaleReservations', () => {
    it('releases holds past their expiry', async () => {
      const c = await makeCoop();
      const p = await makeListedProduct(c, { stock: 4 });
      const s = await startCheckout(input(recordingGateway(), [{ productId: String(p._id), sku: 'default', quantity: 2 }]));
      await orders.sweepStaleReservations(new Date(Date.now() + 60 * 60_000));
      assert.equal(await onHand(p._id), 4);
      assert.deepEqual(
        (await reservationsOf(s.orderId)).map((r) => r.state),
        ['released'],
      );
    });
  });

  describe('transitionShare', () => {
    it('follows the fulfilment path, refuses illegal moves, and completes the order', async () => {
      const c = await makeCoop();
      const p = await makeListedProduct(c, { stock: 4 });
      const s = await startCheckout(input(recordingGateway(), [{ productId: String(p._id), sku: 'default', quantity: 1 }]));
      const order = (await getOrder(s.orderId))!;
      const id = `${s.orderId}:${c._id}`;
      await assert.rejects(transitionShare(id, 'shipped', { coopId: String(c._id) }), { code: 'illegal_transition' });
      await orders.markOrderPaid({ orderId: s.orderId, sessionId: 'cs', amount: order.totalCents, currency: 'eur' });
      await assert.rejects(transitionShare(id, 'preparing', { coopId: String(new Types.ObjectId()) }), { code: 'share_not_found' });
      await transitionShare(id, 'preparing', { coopId: String(c._id) });
      await assert.rejects(transitionShare(id, 'collected', { coopId: String(c._id) }), { code: 'illegal_transition' });
      await transitionShare(id, 'shipped', { coopId: String(c._id) });
      await assert.rejects(transitionShare(id, 'preparing', { coopId: String(c._id) }), { code: 'illegal_transition' });
      await transitionShare(id, 'delivered', { coopId: String(c._id) });
      assert.equal((await OrderModel.findById(s.orderId).lean())?.status, 'completed');
    });
  });

  describe('checkoutLines', () => {
    const order = {
      lines: [
        {
          product: new Types.ObjectId(),
          sku: 'default',
          coop: new Types.ObjectId(),
          name: { it: 'Miele', en: 'Honey' },
          variantLabel: { it: '500 g', en: '500 g' },
          unitCents: 900,
          quantity: 2,
          ivaRate: 10,
          lineCents: 1800,
        },
      ],
      coops: [{ coop: new Types.ObjectId(), name: 'Cooperativa Sole', delivery: 'ship' as const, subtotalCents: 1800, shippingCents: 690 }],
    };

    it("names the shipping line in the buyer's language, from the locale files", () => {
      assert.deepEqual(
        checkoutLines(order, 'it').map((l) => [l.name, l.unitAmount, l.quantity]),
        [
          ['Miele — 500 g', 900, 2],
          ['Spedizione da Cooperativa Sole', 690, 1],
        ],
      );
      assert.deepEqual(
        checkoutLines(order, 'en').map((l) => l.name),
        ['Honey — 500 g', 'Shipping from Cooperativa Sole'],
      );
    });
  });
});
