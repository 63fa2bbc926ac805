import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { ChangeFeed } from '../../src/platform/change-feed';
import { catalogJobs } from '../../src/catalog';
import { CatalogReadModel, type CatalogTopic } from '../../src/catalog/read-model';
import { StockLevelModel, stockId } from '../../src/catalog/stock.model';
import { ProductModel } from '../../src/catalog/product.model';
import { GoodsImportClaimModel, GoodsImportModel } from '../../src/catalog/goods-import.model';
import { makeCoop, makeProduct } from '../support/factories';
import { LocalDiskStorage } from '../../src/platform/storage';
import { trusted } from '../../src/platform/db';
import { testEngines } from '../support/engines';
import { StagedImageModel } from '../../src/catalog/staged-image.model';
import { STAGED_IMAGE_KEEP_MS, stageGoodsImage } from '../../src/catalog/goods.service';
import { photoJpeg } from '../workspace/workspace.fixtures';

/** An app process's read model of its own, as another process would have. */
const aProcess = () => new CatalogReadModel(new ChangeFeed<CatalogTopic>('catalog', ['catalog', 'stock']));

describe('catalogue read model across processes', () => {
  it('shows an edit of a few products made in one process in another after one poll', async () => {
    const [a, b] = [aProcess(), aProcess()];
    const coop = await makeCoop();
    const p = await makeProduct(coop, { nameIt: 'Prima' });
    await Promise.all([a.refresh(), b.refresh()]);
    await ProductModel.updateOne({ _id: p._id }, { $set: { 'name.it': 'Dopo' } });
    await a.catalogChanged({ productIds: [String(p._id)] });
    assert.equal((await a.catalog()).byId.get(String(p._id))?.name.it, 'Dopo');
    assert.equal((await b.catalog()).byId.get(String(p._id))?.name.it, 'Prima');
    assert.equal(await a.poll(), 'none', 'its own change is no news to the process that made it');
    assert.equal(await b.poll(), 'products');
    assert.equal((await b.catalog()).byId.get(String(p._id))?.name.it, 'Dopo');
  });

  it('shows a stock change made in one process in another after one poll', async () => {
    const [a, b] = [aProcess(), aProcess()];
    const coop = await makeCoop();
    const p = await makeProduct(coop, { stock: 4 });
    await Promise.all([a.refresh(), b.refresh()]);
    await StockLevelModel.updateOne({ _id: stockId(p._id, 'default') }, { $set: { onHand: 1 } });
    await a.stockChanged([String(p._id)]);
    assert.equal(a.store.onHandOf(String(p._id), 'default'), 1);
    assert.equal(b.store.onHandOf(String(p._id), 'default'), 4);
    assert.equal(await b.poll(), 'stock');
    assert.equal(b.store.onHandOf(String(p._id), 'default'), 1);
  });

  it('moves its generation on every change, and its shape (and what was worked out) only when a product goes in or out of stock', async () => {
    const a = aProcess();
    const coop = await makeCoop();
    const p = await makeProduct(coop, { stock: 3 });
    const id = String(p._id);
    await a.refresh();
    const product = (await a.catalog()).byId.get(id)!;
    const [gen, shape] = [a.store.generation, a.store.shapeGeneration];
    assert.equal(
      a.store.memo('k', () => 1),
      1,
    );
    assert.equal(
      a.store.memo('k', () => 2),
      1,
      'kept while nothing changed',
    );
    assert.equal(a.store.levelsOf(product), '3');

    // A sale that leaves units: every listing and card still says "in stock".
    await StockLevelModel.updateOne({ _id: stockId(p._id, 'default') }, { $set: { onHand: 1 } });
    await a.stockChanged([id]);
    assert.ok(a.store.generation > gen);
    assert.equal(a.store.shapeGeneration, shape);
    assert.equal(
      a.store.memo('k', () => 3),
      1,
      'kept: no product went in or out of stock',
    );
    assert.equal(a.store.levelsOf(product), '1', 'the level itself is current');

    // The last unit sold: listings, facets and cards change.
    await StockLevelModel.updateOne({ _id: stockId(p._id, 'default') }, { $set: { onHand: 0 } });
    await a.stockChanged([id]);
    assert.ok(a.store.shapeGeneration > shape);
    assert.equal(
      a.store.memo('k', () => 4),
      4,
    );

    // Back in stock moves it again, and so does any change of the products.
    const shape2 = a.store.shapeGeneration;
    await StockLevelModel.updateOne({ _id: stockId(p._id, 'default') }, { $set: { onHand: 5 } });
    await a.stockChanged([id]);
    assert.ok(a.store.shapeGeneration > shape2);
    const shape3 = a.store.shapeGeneration;
    await ProductModel.updateOne({ _id: p._id }, { $set: { 'name.it': 'Altro' } });
    await a.catalogChanged({ productIds: [id] });
    assert.ok(a.store.shapeGeneration > shape3);
  });
});

/** The test run's uploads folder (the engines start before any test, not before this file loads). */
const uploads = () => new LocalDiskStorage(`${testEngines().dataDir}/uploads`);

describe('catalogJobs', () => {
  it('polls the feed in every process every 2 s, and expires the feed, the import previews and unsaved photos', () => {
    const jobs = catalogJobs({ storage: uploads() });
    assert.deepEqual(
      jobs.map((j) => j.name),
      ['catalog-poll', 'catalog-changes', 'goods-imports', 'goods-import-claims', 'staged-images'],
    );
    assert.equal(jobs[0]!.everyMs, 2_000);
    assert.equal(jobs[0]!.perProcess, true);
    assert.equal(jobs[0]!.maxBackoffMs, 2_000, 'never backs off');
    assert.ok(jobs.slice(1).every((j) => !j.perProcess));
  });

  it('deletes import previews and claims a day old, and keeps newer ones', async () => {
    const day = 24 * 3_600_000;
    const ids = { old: new Types.ObjectId().toHexString(), fresh: new Types.ObjectId().toHexString() };
    const owner = { coop: new Types.ObjectId(), user: new Types.ObjectId(), rows: [] };
    await GoodsImportModel.create([
      { _id: ids.old, ...owner, createdAt: new Date(Date.now() - day - 60_000) },
      { _id: ids.fresh, ...owner, createdAt: new Date(Date.now() - day + 60_000) },
    ]);
    await GoodsImportClaimModel.create([
      { _id: ids.old, at: new Date(Date.now() - day - 60_000) },
      { _id: ids.fresh, at: new Date(Date.now() - day + 60_000) },
    ]);
    for (const job of catalogJobs({ storage: uploads() }).filter((j) => j.name.startsWith('goods-import'))) await job.run();
    assert.equal(await GoodsImportModel.exists({ _id: ids.old }), null);
    assert.ok(await GoodsImportModel.exists({ _id: ids.fresh }));
    assert.equal(await GoodsImportClaimModel.exists({ _id: ids.old }), null);
    assert.ok(await GoodsImportClaimModel.exists({ _id: ids.fresh }));
  });
});

describe('photos sent with a goods form never saved', () => {
  let storage: LocalDiskStorage;
  before(() => (storage = uploads()));
  const sweep = () =>
    catalogJobs({ storage })
      .find((j) => j.name === 'staged-images')!
      .run();
  const filesOf = async (image: { key: string; widths: number[] }) =>
    (await Promise.all(image.widths.map((w) => storage.get(`${image.key}-${w}.webp`)))).filter(Boolean).length;

  it('are removed a day after they were sent, unless a product kept them; newer ones stay', async () => {
    const long = new Date(Date.now() - STAGED_IMAGE_KEEP_MS - 60_000);
    const jpeg = await photoJpeg();
    const abandoned = await stageGoodsImage(storage, jpeg, long);
    const kept = await stageGoodsImage(storage, jpeg, long);
    const fresh = await stageGoodsImage(storage, jpeg);
    const coop = await makeCoop();
    const product = await makeProduct(coop);
    await ProductModel.updateOne(
      { _id: product._id },
      { $push: { images: { key: kept.key, widths: kept.widths, alt: { it: 'x', en: 'x' } } } },
    );
    assert.equal(await filesOf(abandoned), abandoned.widths.length);

    await sweep();
    assert.equal(await filesOf(abandoned), 0, 'the abandoned photo is gone');
    assert.equal(await filesOf(kept), kept.widths.length, 'the photo a product shows stays');
    assert.equal(await filesOf(fresh), fresh.widths.length, 'a photo sent today waits for its form');
    assert.deepEqual(
      (await StagedImageModel.find({ _id: trusted({ $in: [abandoned.key, kept.key, fresh.key] }) }).lean()).map((r) => r._id),
      [fresh.key],
    );
    await sweep(); // again: nothing left to do, nothing breaks
    assert.equal(await filesOf(kept), kept.widths.length);
  });
});
