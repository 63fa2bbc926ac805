import assert from 'node:assert/strict';
import { refreshCatalog } from '../../src/catalog';
import { catalog } from '../../src/catalog/read-model';
import { relatedProducts } from '../../src/catalog/catalog.service';
import { makeCoop, makeProduct } from '../support/factories';

describe('related products on a product page', () => {
  it('puts in-stock goods first, the same co-op first among equals, then catalogue order (newest first)', async () => {
    const [mine, other] = [await makeCoop(), await makeCoop()];
    const t = Date.now();
    // Created oldest first, so the catalogue (newest first) lists them from the bottom up.
    const make = (coop: typeof mine, stock: number, i: number) =>
      makeProduct(coop, { category: 'ceramics', stock, createdAt: new Date(t + i * 1000) });
    const otherOut = await make(other, 0, 1);
    const mineOut = await make(mine, 0, 2);
    const otherIn1 = await make(other, 5, 3);
    const otherIn2 = await make(other, 5, 4);
    const mineIn = await make(mine, 5, 5);
    const shown = await make(mine, 5, 6);
    await refreshCatalog();
    const snap = await catalog();
    const related = (n: number) => relatedProducts(snap, snap.byId.get(String(shown._id))!, n).map((p) => p.id);
    const ids = (...ps: { _id: unknown }[]) => ps.map((p) => String(p._id));
    assert.deepEqual(related(1), ids(mineIn));
    assert.deepEqual(related(3), ids(mineIn, otherIn2, otherIn1));
    // Newer in-stock ceramics of other tests may come before the out-of-stock ones; ours keep their order among themselves.
    const six = related(40);
    assert.ok(!six.includes(String(shown._id)), 'never the product itself');
    assert.ok(six.indexOf(String(mineOut._id)) > six.indexOf(String(otherIn1._id)), 'out of stock after in stock');
    assert.ok(six.indexOf(String(mineOut._id)) < six.indexOf(String(otherOut._id)), 'same co-op first among the out of stock');
  });
});
