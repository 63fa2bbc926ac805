import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { buildServices, MemoryMailer } from '../support/app';
import { makeUser } from '../support/factories';
import { coopRating, productRating, type RatingSummary } from '../../src/catalog';
import { ReviewModel } from '../../src/reviews/review.model';
import { ReviewSchema } from '../../src/reviews/reviews.schemas';
import { AuditEntryModel } from '../../src/platform/audit.model';
import { newViewToken } from '../../src/orders/order-queries';
import type { Reviews } from '../../src/reviews';
import { coopWithProduct, orderOf } from './support';

const input = (stars: number, body = '') => ReviewSchema.parse({ stars: String(stars), title: '', body });

/** The ratings counted again from the reviews themselves. */
async function recount(filter: Record<string, unknown>): Promise<RatingSummary> {
  const shown = await ReviewModel.find({ ...filter, status: 'published' }, { stars: 1 }).lean();
  const stars: RatingSummary['stars'] = [0, 0, 0, 0, 0];
  for (const r of shown) stars[r.stars - 1]!++;
  return { count: shown.length, sum: shown.reduce((n, r) => n + r.stars, 0), stars };
}

describe('reviews service', () => {
  let reviews: Reviews;
  let mailer: MemoryMailer;
  let crash: string | null = null;
  before(() => {
    mailer = new MemoryMailer();
    reviews = buildServices(
      { mailer },
      {
        reviewsStep: (step) => {
          if (step === crash) throw new Error(`crash at ${step}`);
        },
      },
    ).reviews;
  });
  afterEach(() => (crash = null));

  describe('who may review', () => {
    it('lets the buyer review a product whose share was delivered, through the private link, and counts it', async () => {
      const { coop, product } = await coopWithProduct();
      const { order, token } = await orderOf([{ product, coop }], { name: 'Maria Rossi' });
      const r = await reviews.write({ token }, product.id, input(4, 'Buono'));
      assert.equal(r._id, `${String(order._id)}-${product.id}`);
      assert.equal(r.displayName, 'Maria R.');
      assert.equal(r.status, 'published');
      assert.equal(r.dirty, false);
      assert.deepEqual(await productRating(product.id), { count: 1, sum: 4, stars: [0, 0, 0, 1, 0] });
      assert.deepEqual(await coopRating(coop.id), { count: 1, sum: 4, stars: [0, 0, 0, 1, 0] });
      // The co-op hears of it once.
      assert.equal(mailer.sent.filter((m) => m.to === coop.contact!.email).length, 1);
    });

    it('lets a signed-in buyer review their own collected order by its id', async () => {
      const { coop, product } = await coopWithProduct();
      const user = await makeUser();
      const { order } = await orderOf([{ product, coop }], { user: user.id, status: 'collected' });
      await reviews.write({ userId: user.id, orderId: String(order._id) }, product.id, input(5));
      assert.deepEqual(await productRating(product.id), { count: 1, sum: 5, stars: [0, 0, 0, 0, 1] });
    });

    it('refuses goods that have not reached the buyer yet', async () => {
      const { coop, product } = await coopWithProduct();
      for (const status of ['paid', 'shipped', 'ready_for_pickup', 'refunded'] as const) {
        const { token } = await orderOf([{ product, coop }], { status });
        await assert.rejects(reviews.write({ token }, product.id, input(5)), { code: 'not_received' });
      }
      assert.equal(await ReviewModel.countDocuments({ product: product._id }), 0);
    });

    it("refuses someone else's order: another user, a forged id, an unknown link, a product not in the order", async () => {
      const { coop, product } = await coopWithProduct();
      const owner = await makeUser();
      const other = await makeUser();
      const { order, token } = await orderOf([{ product, coop }], { user: owner.id });
      const guest = await orderOf([{ product, coop }]);
      await assert.rejects(reviews.write({ userId: other.id, orderId: String(order._id) }, product.id, input(1)), {
        code: 'order_not_found',
      });
      // A guest's order has no owner: signing in does not make it anyone's.
      await assert.rejects(reviews.write({ userId: other.id, orderId: String(guest.order._id) }, product.id, input(1)), {
        code: 'order_not_found',
      });
      await assert.rejects(reviews.write({ userId: owner.id, orderId: String(new Types.ObjectId()) }, product.id, input(1)), {
        code: 'order_not_found',
      });
      await assert.rejects(reviews.write({ userId: owner.id, orderId: 'not-an-id' }, product.id, input(1)), { code: 'order_not_found' });
      await assert.rejects(reviews.write({ token: newViewToken().token }, product.id, input(1)), { code: 'order_not_found' });
      // A real link, but a product of another order.
      const elsewhere = await coopWithProduct();
      await orderOf([elsewhere]);
      await assert.rejects(reviews.write({ token }, elsewhere.product.id, input(1)), { code: 'product_not_in_order' });
      assert.equal(await ReviewModel.countDocuments({ order: order._id }), 0);
    });

    it('takes one review per product per order, however many submits race', async () => {
      const { coop, product } = await coopWithProduct();
      const { token } = await orderOf([{ product, coop }]);
      const results = await Promise.allSettled(Array.from({ length: 8 }, () => reviews.write({ token }, product.id, input(5))));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results.filter((x) => x.status === 'rejected')) assert.equal((r.reason as { code: string }).code, 'already_reviewed');
      assert.equal(await ReviewModel.countDocuments({ product: product._id }), 1);
      assert.deepEqual(await productRating(product.id), { count: 1, sum: 5, stars: [0, 0, 0, 0, 1] });
    });

    it('lets the author edit and delete, and write again after deleting', async () => {
      const { coop, product } = await coopWithProduct();
      const { token } = await orderOf([{ product, coop }]);
      await reviews.write({ token }, product.id, input(2));
      const edited = await reviews.edit({ token }, product.id, input(5, 'Meglio del previsto'));
      assert.equal(edited.stars, 5);
      assert.ok(edited.editedAt);
      assert.deepEqual(await productRating(product.id), { count: 1, sum: 5, stars: [0, 0, 0, 0, 1] });
      await reviews.remove({ token }, product.id);
      const gone = await ReviewModel.findOne({ product: product._id }).lean();
      assert.equal(gone!.status, 'deleted');
      assert.equal(gone!.body, '');
      assert.deepEqual(await productRating(product.id), { count: 0, sum: 0, stars: [0, 0, 0, 0, 0] });
      await assert.rejects(reviews.edit({ token }, product.id, input(3)), { code: 'review_not_found' });
      await reviews.write({ token }, product.id, input(3));
      assert.deepEqual(await productRating(product.id), { count: 1, sum: 3, stars: [0, 0, 1, 0, 0] });
    });
  });

  describe('ratings under concurrency', () => {
    it('stay exact while reviews are written, edited, hidden, restored and deleted in parallel', async () => {
      const { coop, product } = await coopWithProduct();
      const admin = await makeUser({ isAdmin: true });
      const orders = await Promise.all(Array.from({ length: 12 }, () => orderOf([{ product, coop }])));
      await Promise.all(orders.map(({ token }, i) => reviews.write({ token }, product.id, input((i % 5) + 1))));
      const ids = orders.map(({ order }) => `${String(order._id)}-${product.id}`);
      await Promise.allSettled([
        ...orders.slice(0, 4).map(({ token }, i) => reviews.edit({ token }, product.id, input(5 - i))),
        ...orders.slice(0, 4).map(({ token }, i) => reviews.edit({ token }, product.id, input(1 + i))),
        ...ids.slice(4, 7).map((id) => reviews.moderate(id, 'hide', 'spam', admin.id)),
        ...orders.slice(7, 9).map(({ token }) => reviews.remove({ token }, product.id)),
        ...orders.slice(9, 12).map(({ token }) => reviews.edit({ token }, product.id, input(2))),
      ]);
      await Promise.allSettled(ids.slice(4, 6).map((id) => reviews.moderate(id, 'restore', 'ok after all', admin.id)));
      const want = await recount({ product: product._id });
      assert.equal(want.count, 12 - 1 - 2); // one stays hidden, two deleted
      assert.deepEqual(await productRating(product.id), want);
      assert.deepEqual(await coopRating(coop.id), await recount({ coop: coop._id }));
      assert.equal(await ReviewModel.countDocuments({ product: product._id, dirty: true }), 0);
    });

    it('finishes a count that a crash interrupted, and counts it once', async () => {
      const { coop, product } = await coopWithProduct();
      const { token } = await orderOf([{ product, coop }]);
      await reviews.write({ token }, product.id, input(4));
      crash = 'counted';
      await assert.rejects(reviews.edit({ token }, product.id, input(1)), /crash at counted/);
      crash = null;
      const r = await ReviewModel.findOne({ product: product._id }).lean();
      assert.equal(r!.dirty, true);
      // The job finds it (older than its age limit of 0 ms here), and running it twice changes nothing more.
      assert.ok((await reviews.syncDirty(0)) >= 1);
      await reviews.syncDirty(0);
      assert.equal((await ReviewModel.findById(r!._id).lean())!.dirty, false);
      assert.deepEqual(await productRating(product.id), { count: 1, sum: 1, stars: [1, 0, 0, 0, 0] });
    });
  });

  describe('moderation and replies', () => {
    it('hides a review out of the averages, tells the author, records it, and restores it', async () => {
      const { coop, product } = await coopWithProduct();
      const admin = await makeUser({ isAdmin: true });
      const { token, order } = await orderOf([{ product, coop }], { email: `author-${Date.now()}@example.test` });
      const r = await reviews.write({ token }, product.id, input(1, 'Pessimo'));
      await reviews.report(r._id, { reason: 'offensive', note: '' }, null);
      assert.equal((await reviews.getReview(r._id))!.openReports, 1);
      await reviews.moderate(r._id, 'hide', 'Linguaggio offensivo', admin.id);
      assert.deepEqual(await productRating(product.id), { count: 0, sum: 0, stars: [0, 0, 0, 0, 0] });
      assert.equal((await reviews.forProduct(product.id, 'newest', 1)).length, 0);
      const mail = mailer.sent.find((m) => m.to === order.buyer.email && /Linguaggio offensivo/.test(m.text));
      assert.ok(mail, 'the author is told why');
      const entry = await AuditEntryModel.findOne({ action: 'review.hide', target: `review:${r._id}` }).lean();
      assert.equal(String(entry!.actor), admin.id);
      await assert.rejects(reviews.report(r._id, { reason: 'spam', note: '' }, null), { code: 'review_not_found' });
      await reviews.moderate(r._id, 'restore', 'Rivista', admin.id);
      assert.deepEqual(await productRating(product.id), { count: 1, sum: 1, stars: [1, 0, 0, 0, 0] });
      await assert.rejects(reviews.moderate(r._id, 'restore', 'again', admin.id), { code: 'review_not_hidden' });
    });

    it("lets only the review's co-op reply, once, and edit the reply", async () => {
      const { coop, product } = await coopWithProduct();
      const other = await coopWithProduct();
      const member = await makeUser();
      const { token } = await orderOf([{ product, coop }]);
      const r = await reviews.write({ token }, product.id, input(3));
      await assert.rejects(reviews.reply(other.coop.id, r._id, 'Non è nostra', member.id), { code: 'review_not_found' });
      const first = await reviews.reply(coop.id, r._id, 'Grazie!', member.id);
      assert.equal(first.reply!.text, 'Grazie!');
      assert.equal(first.reply!.editedAt, null);
      const second = await reviews.reply(coop.id, r._id, 'Grazie mille!', member.id);
      assert.equal(second.reply!.text, 'Grazie mille!');
      assert.equal(second.reply!.at.getTime(), first.reply!.at.getTime());
      assert.ok(second.reply!.editedAt);
      assert.equal(await reviews.unansweredCount(coop.id), 0);
    });
  });

  describe('what a review holds', () => {
    it('keeps plain text: control characters and bidi overrides go, everything else stays as written', () => {
      const parsed = ReviewSchema.parse({
        stars: '5',
        title: 'Ottimo\u0000\u0007 <b>miele</b>\u202E',
        body: 'Riga uno\r\nRiga due\u001b[31m\n\n\n\nFine 日本語 <script>alert(1)</script>',
        anonymous: 'yes',
      });
      assert.equal(parsed.title, 'Ottimo <b>miele</b>');
      assert.equal(parsed.body, 'Riga uno\nRiga due[31m\n\nFine 日本語 <script>alert(1)</script>');
      assert.equal(parsed.anonymous, true);
      assert.equal(ReviewSchema.safeParse({ stars: '6' }).success, false);
      assert.equal(ReviewSchema.safeParse({ stars: '0' }).success, false);
      assert.equal(ReviewSchema.safeParse({ stars: '4', title: 'x'.repeat(101) }).success, false);
      assert.equal(ReviewSchema.safeParse({ stars: '4', body: 'x'.repeat(2001) }).success, false);
    });
  });
});
