import assert from 'node:assert/strict';
import type { Express } from 'express';
import { Types } from 'mongoose';
import { buildApp, browser, csrfFrom } from '../support/app';
import { ADDRESS, TERMS, addToCart, csrfOf } from '../orders/support';
import { makeCoop, makeListedProduct, makeUser, unique, type TestCoop } from '../support/factories';
import { signedIn } from '../admin/helpers';
import { OrderModel, type Order } from '../../src/orders/order.model';
import { CoopShareModel } from '../../src/orders/coop-share.model';
import { PromotionBody, createPromotion } from '../../src/promotions';
import { PromotionModel } from '../../src/promotions/promotion.model';
import { formatMoney } from '../../src/platform/money';

type Agent = ReturnType<typeof browser>;
const admin = { userId: String(new Types.ObjectId()), admin: true as const };
const m = (c: number) => formatMoney(c, 'it');

async function applyCode(b: Agent, code: string, extra: Record<string, string> = {}) {
  const csrf = await csrfOf(b);
  return b
    .post('/cart/code')
    .type('form')
    .send({ _csrf: csrf, code, ...extra });
}

/** Address, review, pay: the order this buyer placed (or the page that refused it). */
async function checkout(b: Agent, extra: Record<string, string> = {}) {
  const form = await b.get('/checkout').expect(200);
  const email = `b-${unique()}@example.test`;
  await b
    .post('/checkout')
    .type('form')
    .send({ _csrf: csrfFrom(form.text), email, ...TERMS, ...ADDRESS, ...extra })
    .expect(303);
  const review = await b.get('/checkout/review');
  if (review.status !== 200) return { review, placed: review, order: null };
  const attempt = /name="attempt" value="([^"]+)"/.exec(review.text)![1]!;
  const placed = await b
    .post('/checkout/place')
    .type('form')
    .send({ _csrf: csrfFrom(review.text), attempt, ...extra });
  const order = placed.status === 303 ? await OrderModel.findOne({ 'buyer.email': email }).lean<Order>() : null;
  return { review, placed, order };
}

async function coopCode(coop: TestCoop, over: Record<string, string> = {}) {
  const code = `C${unique().toUpperCase()}`;
  await createPromotion(
    { userId: admin.userId, coopId: coop.id },
    PromotionBody.parse({
      type: 'code',
      code,
      name: 'Raccolto',
      scope: 'all',
      valueKind: 'percent',
      percent: '10',
      maxUses: '50',
      ...over,
    }),
  );
  return code;
}

async function platformCode(over: Record<string, string> = {}) {
  const code = `P${unique().toUpperCase()}`;
  const p = await createPromotion(
    admin,
    PromotionBody.parse({ type: 'code', code, name: 'Campagna', scope: 'all', valueKind: 'fixed', amount: '3,00', ...over }),
  );
  return { code, id: String(p._id) };
}

describe('promotions in the cart and at checkout', () => {
  let app: Express;
  let a: TestCoop;
  let bCoop: TestCoop;
  let pa: Types.ObjectId;
  let pb: Types.ObjectId;
  before(async () => {
    app = buildApp().app;
    a = await makeCoop({ shipping: { flatCents: 690, freeOverCents: 0 } });
    bCoop = await makeCoop({ shipping: { flatCents: 490, freeOverCents: 0 } });
    pa = (await makeListedProduct(a, { priceCents: 1000, stock: 500 }))._id;
    pb = (await makeListedProduct(bCoop, { priceCents: 550, stock: 500 }))._id;
  });

  it('applies a co-op code to its own goods only, showing what it takes off and who gives it', async () => {
    const code = await coopCode(a);
    const b = browser(app);
    await addToCart(b, pa, '2');
    await addToCart(b, pb);
    const applied = await applyCode(b, ` ${code.toLowerCase()} `);
    assert.equal(applied.status, 303);
    const cart = await b.get('/cart').expect(200);
    // 10 % of A's 20,00 € = 2,00 €, given by A; B's goods untouched.
    assert.match(cart.text, new RegExp(`${m(200).replace(/\s/g, '\\s')} di sconto \\(${code}\\) · offerto da ${a.name}`));
    assert.doesNotMatch(cart.text, new RegExp(`offerto da ${bCoop.name}`));
    // Total: 20,00 + 5,50 + 6,90 + 4,90 − 2,00 = 35,30 €.
    assert.match(cart.text, new RegExp(`class="total">${m(3530).replace(/\s/g, '\\s')}<`));
  });

  it('keeps the cart and says why when a code is unknown, expired, used up or not for these goods', async () => {
    const b = browser(app);
    await addToCart(b, pb);
    const unknown = await applyCode(b, 'NOPE-NOPE');
    assert.equal(unknown.status, 422);
    assert.match(unknown.text, /Questo codice non esiste/);
    assert.match(unknown.text, /value="NOPE-NOPE"/); // what was typed is kept
    const expired = await platformCode({ endsAt: '2020-01-31' });
    assert.match((await applyCode(b, expired.code)).text, /Questo codice è scaduto/);
    const usedUp = await platformCode({ maxUses: '1' });
    await PromotionModel.updateOne({ code: usedUp.code }, { $set: { uses: 1 } });
    assert.match((await applyCode(b, usedUp.code)).text, /Questo codice è esaurito/);
    const otherCoop = await coopCode(a);
    assert.match((await applyCode(b, otherCoop)).text, /non vale per nessun articolo/);
    // The cart is as it was.
    const cart = await b.get('/cart').expect(200);
    assert.match(cart.text, new RegExp(`class="total">${m(550 + 490).replace(/\s/g, '\\s')}<`));
  });

  it('a code that stops applying when the cart changes is named with the reason, and checkout drops it', async () => {
    const code = await coopCode(a);
    const b = browser(app);
    await addToCart(b, pa);
    await addToCart(b, pb);
    assert.equal((await applyCode(b, code)).status, 303);
    // The buyer takes A's goods out: the code reaches nothing now.
    const cart = await b.get('/cart').expect(200);
    const key = encodeURIComponent(`${String(pa)}:default`);
    await b
      .post(`/cart/items/${key}/remove`)
      .type('form')
      .send({ _csrf: csrfFrom(cart.text) })
      .expect(303);
    const after = await b.get('/cart').expect(200);
    assert.match(after.text, /non vale per nessun articolo/);
    assert.match(after.text, new RegExp(`id="promo-code"[^>]*value="${code}"`));
    const { review } = await checkout(b);
    assert.equal(review.status, 409);
    assert.match(review.text, /non vale più per il tuo carrello/);
  });

  it('trusts only the code text: amounts, funder and promotion ids posted with it are ignored', async () => {
    const code = await coopCode(a, { percent: '5' });
    const other = await platformCode({ amount: '9,00' });
    const b = browser(app);
    await addToCart(b, pa);
    await addToCart(b, pb);
    const forged = {
      amount: '99,00',
      discountCents: '9900',
      cents: '9900',
      funder: 'platform',
      promotionId: other.id,
      promotion: other.id,
      percent: '100',
      unitCents: '1',
      totalCents: '1',
    };
    assert.equal((await applyCode(b, code, forged)).status, 303);
    const { order } = await checkout(b, forged);
    assert.ok(order, 'the order was placed');
    // 5 % of A's 10,00 € = 0,50 €, funded by A; nothing from the platform code; prices from the catalogue.
    assert.deepEqual(
      order.promotions!.map((p) => [p.code, p.funder, String(p.funderCoop), p.cents]),
      [[code, 'coop', a.id, 50]],
    );
    assert.equal(order.totalCents, 1000 + 550 + 690 + 490 - 50);
    assert.deepEqual(
      order.lines.map((l) => [l.unitCents, l.discountCents]),
      [
        [1000, 50],
        [550, 0],
      ],
    );
  });

  it('snapshots each discount on the order and its shares; the review and the receipt show the split', async () => {
    const code = await coopCode(a, { percent: '10' });
    const b = browser(app);
    await addToCart(b, pa, '3');
    await addToCart(b, pb);
    await applyCode(b, code);
    const form = await b.get('/checkout').expect(200);
    await b
      .post('/checkout')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), email: 'split@example.test', ...TERMS, ...ADDRESS })
      .expect(303);
    const review = await b.get('/checkout/review').expect(200);
    // A's goods 30,00 − 3,00 (its own discount); commission 10 % on 27,00 = 2,70; A receives 27,00 + 6,90 − 2,70 = 31,20.
    assert.match(review.text, new RegExp(`Sconto offerto da ${a.name}`));
    assert.match(review.text, new RegExp(`Alla cooperativa ${a.name}</dt><dd>${m(3120).replace(/\s/g, '\\s')}<`));
    const attempt = /name="attempt" value="([^"]+)"/.exec(review.text)![1]!;
    await b
      .post('/checkout/place')
      .type('form')
      .send({ _csrf: csrfFrom(review.text), attempt })
      .expect(303);
    const order = (await OrderModel.findOne({ 'buyer.email': 'split@example.test' }).sort({ createdAt: -1 }).lean<Order>())!;
    const share = (await CoopShareModel.findById(`${String(order._id)}:${a.id}`).lean())!;
    assert.deepEqual(
      [share.discountCents, share.coopDiscountCents, share.platformDiscountCents, share.commissionCents, share.netCents],
      [300, 300, 0, 270, 3120],
    );
    assert.deepEqual(
      share.discounts!.map((d) => [d.code, d.funder, d.cents]),
      [[code, 'coop', 300]],
    );
    // The IVA base follows the discounted price: A's 27,00 + 6,90 at 10 %.
    assert.deepEqual(share.iva, [{ rate: 10, baseCents: 3082, taxCents: 308 }]);
    const receipt = await b.get(`/orders/view/${order.viewToken}`).expect(200);
    assert.match(receipt.text, new RegExp(`${code} · offerto da ${a.name}`));
    assert.match(receipt.text, new RegExp(`${a.name} riceve ${m(3120).replace(/\s/g, '\\s')}`));
    // The admin's order page (once paid) says what each discounted line was paid (what a refund of it gives back).
    await OrderModel.updateOne(
      { _id: order._id },
      { $set: { status: 'paid', 'payment.paymentIntentId': `pi_${unique()}`, 'payment.paidAt': new Date() } },
    );
    const adminUser = await makeUser({ isAdmin: true });
    const adminPage = await (await signedIn(app, adminUser.id)).get(`/admin/orders/${String(order._id)}`).expect(200);
    assert.match(adminPage.text, new RegExp(`pagati ${m(2700).replace(/\s/g, '\\s')} per la riga`));
  });

  it('a code used up between the cart and paying: the order is refused with a message and the cart kept', async () => {
    const { code } = await platformCode({ maxUses: '1' });
    const b = browser(app);
    await addToCart(b, pb);
    await applyCode(b, code);
    await PromotionModel.updateOne({ code }, { $set: { uses: 1 } });
    const { review } = await checkout(b);
    assert.equal(review.status, 409);
    assert.match(review.text, /è appena stato esaurito/);
    const cart = await b.get('/cart').expect(200);
    assert.match(cart.text, new RegExp(`class="total">${m(550 + 490).replace(/\s/g, '\\s')}<`));
  });

  it('concurrent HTTP checkouts: 8 buyers, 3 uses left → exactly 3 orders carry the code; a cancelled one gives its use back', async function () {
    this.timeout(60_000);
    const { code, id } = await platformCode({ maxUses: '3', amount: '1,00' });
    const buyers = Array.from({ length: 8 }, () => browser(app));
    for (const b of buyers) {
      await addToCart(b, pb);
      await applyCode(b, code);
    }
    const results = await Promise.all(buyers.map((b) => checkout(b)));
    const carried = results.filter((r) => r.order?.promotions?.some((p) => p.code === code));
    assert.equal(carried.length, 3);
    for (const r of results.filter((x) => !x.order)) assert.match(r.placed.text, /è appena stato esaurito/);
    assert.equal((await PromotionModel.findById(id).lean())!.uses, 3);
    // One buyer goes back from the payment page: the order is cancelled, its use given back.
    const i = results.indexOf(carried[0]!);
    await buyers[i]!.get(`/checkout/cancel?order=${String(carried[0]!.order!._id)}`).expect(303);
    assert.equal((await PromotionModel.findById(id).lean())!.uses, 2);
  });
});
