import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seedDemo, seedDemoPayoutAccounts } from '../../src/demo/seed';
import { DemoGateway } from '../../src/payments/demo-gateway';
import { TransferModel, transferId } from '../../src/payouts/transfer.model';
import { payoutsStateOf } from '../../src/coops/onboarding.service';
import { buildServices } from '../support/app';
import { makeOrder } from '../payments/factories';
import { CoopModel } from '../../src/coops/coop.model';
import { ProductModel } from '../../src/catalog/product.model';
import { StockLevelModel } from '../../src/catalog/stock.model';
import { UserModel } from '../../src/accounts/user.model';
import { DEMO_ADMIN, DEMO_COOPS } from '../../src/demo/demo-data';
import { isCurrentDrawing } from '../../src/demo/demo-images';
import { createLogger } from '../../src/platform/logger';
import { trusted } from '../../src/platform/db';
import { testConfig } from '../support/app';

describe('seedDemo', () => {
  const logger = createLogger('silent', false);
  const slugs = DEMO_COOPS.map((c) => c.slug);
  const pictureOf = (slug: string) => DEMO_COOPS.flatMap((c) => c.products).find((r) => r[0] === slug)![13];

  it('creates twelve-plus co-ops, 150-plus products with stock and pictures, and the demo admin, once', async function () {
    this.timeout(120_000);
    const { uploadsDir } = testConfig();
    await seedDemo(logger, { uploadsDir });
    const second = await seedDemo(logger, { uploadsDir });
    assert.deepEqual(second, { coops: 0, products: 0 });

    const coops = await CoopModel.find({ slug: trusted({ $in: slugs }) }).lean();
    assert.equal(coops.length, DEMO_COOPS.length);
    assert.ok(coops.length >= 12, `${coops.length} co-ops`);
    assert.ok(coops.filter((c) => c.kind === 'agricultural').length >= 3);
    assert.ok(coops.filter((c) => c.kind === 'craft').length >= 3);
    for (const c of coops) {
      assert.ok(c.logo && existsSync(join(uploadsDir, `${c.logo}-96.webp`)), `logo of ${c.slug}`);
      assert.ok(c.cover && existsSync(join(uploadsDir, `${c.cover}-960.webp`)), `cover of ${c.slug}`);
    }

    // Only the demo's own products: other tests (the browser journeys) add goods to demo co-ops.
    const demoSlugs = DEMO_COOPS.flatMap((c) => c.products.map((row) => row[0]));
    const products = await ProductModel.find({ slug: trusted({ $in: demoSlugs }) }).lean();
    assert.ok(products.length >= 150, `${products.length} products`);
    const stock = await StockLevelModel.find({ product: trusted({ $in: products.map((p) => p._id) }) }).lean();
    assert.equal(
      stock.length,
      products.reduce((n, p) => n + p.variants.length, 0),
    );
    for (const p of products) {
      const [img] = p.images;
      assert.ok(img, `picture of ${p.slug}`);
      assert.ok(isCurrentDrawing(img.key, pictureOf(p.slug)), `${p.slug} shows its own drawing`);
      assert.deepEqual(img.widths, [320, 640, 960]);
      assert.ok(img.alt?.it && img.alt?.en);
      for (const w of img.widths) assert.ok(existsSync(join(uploadsDir, `${img.key}-${w}.webp`)), `${p.slug} at ${w}`);
      assert.ok(p.name?.it && p.name?.en && p.description?.it && p.description?.en, `both languages for ${p.slug}`);
      assert.ok(p.traceability?.lot && p.traceability?.place, `traceability of ${p.slug}`);
    }
    assert.ok(
      products.some((p) => p.variants.length > 1),
      'some products have variants',
    );
    assert.ok(
      products.some((p) => p.care?.it),
      'textiles have care instructions',
    );

    const admin = await UserModel.findOne({ email: DEMO_ADMIN.email }).lean();
    assert.equal(admin?.isAdmin, true);
  });

  it('redraws a picture drawn by an older version, keeps current ones and never touches an upload', async function () {
    this.timeout(120_000);
    const { uploadsDir } = testConfig();
    await seedDemo(logger, { uploadsDir });
    const widths = [320, 640, 960];
    const legacyKey = 'products/0123456789abcdef01234567';
    const uploadKey = 'products/fedcba9876543210fedcba9876543210';
    mkdirSync(join(uploadsDir, 'products'), { recursive: true });
    for (const w of widths) writeFileSync(join(uploadsDir, `${legacyKey}-${w}.webp`), 'old drawing');
    const alt = { it: 'x', en: 'x' };
    await ProductModel.updateOne({ slug: 'calze-lana' }, { $set: { images: [{ key: legacyKey, widths, alt }] } });
    await ProductModel.updateOne({ slug: 'candele-cera-api' }, { $set: { images: [{ key: uploadKey, widths, alt }] } });
    const kept = (await ProductModel.findOne({ slug: 'cucchiai-legno' }).lean())!.images[0]!.key;

    await seedDemo(logger, { uploadsDir });

    const socks = (await ProductModel.findOne({ slug: 'calze-lana' }).lean())!.images;
    assert.equal(socks.length, 1);
    assert.ok(isCurrentDrawing(socks[0]!.key, pictureOf('calze-lana')), socks[0]!.key);
    for (const w of widths) {
      assert.ok(existsSync(join(uploadsDir, `${socks[0]!.key}-${w}.webp`)), `new socks at ${w}`);
      assert.equal(existsSync(join(uploadsDir, `${legacyKey}-${w}.webp`)), false, `old drawing at ${w} removed`);
    }
    const candles = (await ProductModel.findOne({ slug: 'candele-cera-api' }).lean())!.images;
    assert.deepEqual(
      candles.map((i) => i.key),
      [uploadKey],
    );
    assert.equal((await ProductModel.findOne({ slug: 'cucchiai-legno' }).lean())!.images[0]!.key, kept);
  });

  describe('seedDemoPayoutAccounts', () => {
    it('gives every demo co-op a ready demo payout account, once, and sends what waited for it', async function () {
      this.timeout(60_000);
      await seedDemo(logger);
      const demo = new DemoGateway();
      const { paymentEvents, events } = buildServices({ payments: demo });
      // One demo co-op as a data folder from before demo accounts had it: no account, and a paid order waiting for one.
      const coop = await CoopModel.findOneAndUpdate(
        { slug: DEMO_COOPS[0]!.slug },
        { $unset: { stripeAccountId: 1, payouts: 1 } },
        { returnDocument: 'after' },
      ).lean();
      const order = await makeOrder([coop!]);
      const session = await demo.createCheckoutSession({
        orderId: order.orderId,
        orderNumber: order.number,
        lines: [{ name: 'Olio', unitAmount: 2000, quantity: 1 }],
        customerEmail: 'buyer@example.test',
        locale: 'it',
        successUrl: '/checkout/success',
        cancelUrl: '/cart',
        expiresAt: new Date(Date.now() + 60_000),
        idempotencyKey: `checkout:${order.orderId}`,
      });
      await demo.pay(session.id);
      await paymentEvents.reconcileCheckoutSession(session.id);
      const tid = transferId(order.orderId, String(coop!._id));
      assert.equal((await TransferModel.findById(tid).lean())?.status, 'waiting_account');

      assert.ok((await seedDemoPayoutAccounts(demo, events)) >= 1);
      assert.equal(await seedDemoPayoutAccounts(demo, events), 0, 'a second start changes nothing');

      const coops = await CoopModel.find({ slug: trusted({ $in: slugs }) }, { slug: 1, stripeAccountId: 1, payouts: 1 }).lean();
      assert.equal(coops.length, DEMO_COOPS.length);
      for (const c of coops) {
        assert.equal(payoutsStateOf(c), 'ready', c.slug);
        assert.equal((await demo.account(c.stripeAccountId!))?.transfersActive, true, c.slug);
      }
      const sent = await TransferModel.findById(tid).lean();
      assert.equal(sent?.status, 'sent');
      assert.equal(sent?.destination, coops.find((c) => c.slug === DEMO_COOPS[0]!.slug)?.stripeAccountId);
    });

    it('leaves co-ops alone with a real Stripe account', async () => {
      const { events, deps } = buildServices();
      assert.equal(deps.payments.kind, 'stripe');
      assert.equal(await seedDemoPayoutAccounts(deps.payments, events), 0);
    });
  });
});
