import assert from 'node:assert/strict';
import { seedDemo } from '../../src/demo/seed';
import { CoopModel } from '../../src/coops/coop.model';
import { ProductModel } from '../../src/catalog/product.model';
import { StockLevelModel } from '../../src/catalog/stock.model';
import { UserModel } from '../../src/accounts/user.model';
import { DEMO_ADMIN, DEMO_COOPS } from '../../src/demo/demo-data';
import { createLogger } from '../../src/platform/logger';
import { trusted } from '../../src/platform/db';

describe('seedDemo', () => {
  const logger = createLogger('silent', false);
  const slugs = DEMO_COOPS.map((c) => c.slug);

  it('creates the demo co-ops, products with stock, and the demo admin, once', async function () {
    this.timeout(60_000);
    await seedDemo(logger);
    const second = await seedDemo(logger);
    assert.deepEqual(second, { coops: 0, products: 0 });

    const coops = await CoopModel.find({ slug: trusted({ $in: slugs }) }).lean();
    assert.equal(coops.length, DEMO_COOPS.length);
    assert.ok(coops.filter((c) => c.kind === 'agricultural').length >= 3);
    assert.ok(coops.filter((c) => c.kind === 'craft').length >= 3);

    const products = await ProductModel.find({ coop: trusted({ $in: coops.map((c) => c._id) }) }).lean();
    assert.ok(products.length >= 60, `${products.length} products`);
    const stock = await StockLevelModel.find({ product: trusted({ $in: products.map((p) => p._id) }) }).lean();
    assert.equal(stock.length, products.reduce((n, p) => n + p.variants.length, 0));

    const admin = await UserModel.findOne({ email: DEMO_ADMIN.email }).lean();
    assert.equal(admin?.isAdmin, true);
  });
});
