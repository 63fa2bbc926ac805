import assert from 'node:assert/strict';
import { CoopModel } from '../../src/coops/coop.model';
import { ProductModel } from '../../src/catalog/product.model';
import { StockLevelModel, stockId } from '../../src/catalog/stock.model';
import mongoose from 'mongoose';
import { ChangeFeed } from '../../src/platform/change-feed';
import { catalogChanged, getPurchasable, getProductsByIds, refreshCatalog, stockChanged, stockLoadCount } from '../../src/catalog';
import { catalog, catalogReadModel, type CatalogTopic } from '../../src/catalog/read-model';
import { listProducts, monthInItaly, searchProducts } from '../../src/catalog/catalog.service';
import { listingQueryString, parseListingQuery, type ListingFilters } from '../../src/catalog/catalog.schemas';
import { makeCoop, makeProduct, unique } from '../support/factories';

/** Another app process's view of the catalogue's change feed (this process's read model uses its own). */
const otherProcess = new ChangeFeed<CatalogTopic>('catalog', ['catalog', 'stock']);
/** The feed's version documents, to play a read that crossed a write. */
const FeedVersionModel = mongoose.model<{ _id: string; token: string }>('CatalogVersion');
const pollCatalogVersions = () => catalogReadModel.poll();

/** A region name of letters only (the region filter accepts nothing else), unique to this run. */
const uniqueRegion = () => `Regione ${unique().replace(/\d/g, (d) => 'abcdefghij'[Number(d)]!)}`;

const NOW = new Date('2026-03-15T12:00:00Z');
const base = (f: Partial<ListingFilters>): ListingFilters => ({ sort: 'newest', page: 1, ...f });
const slugsOf = (l: { items: { slug: string }[] }) => l.items.map((p) => p.slug);

describe('catalogue read model and listings', () => {
  let coopA: Awaited<ReturnType<typeof makeCoop>>;
  let coopB: Awaited<ReturnType<typeof makeCoop>>;
  let regionB: string;
  const p: Record<string, Awaited<ReturnType<typeof makeProduct>>> = {};

  before(async function () {
    this.timeout(30_000);
    coopA = await makeCoop({ region: uniqueRegion() });
    regionB = uniqueRegion();
    coopB = await makeCoop({ region: regionB });
    const t = Date.now();
    p.honeyCheap = await makeProduct(coopA, {
      category: 'honey',
      nameIt: 'Miele di acacia',
      nameEn: 'Acacia honey',
      priceCents: 500,
      certifications: ['organic'],
      seasonMonths: [3, 4],
      stock: 5,
      createdAt: new Date(t - 50_000),
    });
    p.honeyDear = await makeProduct(coopA, {
      category: 'honey',
      nameIt: 'Zafferano e miele',
      nameEn: 'Bee pollen',
      priceCents: 1500,
      stock: 0,
      createdAt: new Date(t - 40_000),
    });
    p.cheese = await makeProduct(coopA, {
      category: 'cheese',
      nameIt: 'Caffè al formaggio',
      nameEn: 'Cheesy coffee',
      priceCents: 900,
      certifications: ['dop'],
      stock: 3,
      createdAt: new Date(t - 30_000),
    });
    p.shirt = await makeProduct(coopA, {
      category: 'clothing',
      nameIt: 'Camicia di lino',
      nameEn: 'Linen shirt',
      certifications: ['handmade'],
      createdAt: new Date(t - 20_000),
      variants: [
        { sku: 'S', priceCents: 5000, stock: 0 },
        { sku: 'M', priceCents: 5200, stock: 2 },
      ],
    });
    p.unpublished = await makeProduct(coopA, { category: 'honey', published: false });
    p.archived = await makeProduct(coopA, { category: 'honey', archived: true });
    p.other = await makeProduct(coopB, { category: 'honey', nameIt: 'Miele di castagno', priceCents: 700 });
    await catalogChanged();
  });

  describe('listProducts', () => {
    const inA = (f: Partial<ListingFilters>) => listProducts(base({ coop: coopA.slug, ...f }), { locale: 'it', now: NOW });

    it('lists only the published, non-archived products of a co-op', async () => {
      const l = await inA({});
      assert.deepEqual(new Set(slugsOf(l)), new Set([p.honeyCheap!.slug, p.honeyDear!.slug, p.cheese!.slug, p.shirt!.slug]));
    });

    it('filters by department', async () => {
      assert.deepEqual(slugsOf(await inA({ department: 'craft' })), [p.shirt!.slug]);
    });

    it('filters by category', async () => {
      assert.deepEqual(new Set(slugsOf(await inA({ category: 'honey' }))), new Set([p.honeyCheap!.slug, p.honeyDear!.slug]));
    });

    it('filters by region', async () => {
      const l = await listProducts(base({ region: regionB }), { locale: 'it', now: NOW });
      assert.deepEqual(slugsOf(l), [p.other!.slug]);
    });

    it('filters by a price range, inclusive', async () => {
      assert.deepEqual(new Set(slugsOf(await inA({ minCents: 900, maxCents: 1500 }))), new Set([p.honeyDear!.slug, p.cheese!.slug]));
      assert.deepEqual(slugsOf(await inA({ maxCents: 500 })), [p.honeyCheap!.slug]);
    });

    it('filters by certification', async () => {
      assert.deepEqual(slugsOf(await inA({ cert: 'dop' })), [p.cheese!.slug]);
    });

    it('keeps only goods in stock, counting any variant', async () => {
      assert.deepEqual(new Set(slugsOf(await inA({ inStock: true }))), new Set([p.honeyCheap!.slug, p.cheese!.slug, p.shirt!.slug]));
    });

    it('keeps only goods in season in Italy this month', async () => {
      assert.equal(monthInItaly(NOW), 3);
      assert.deepEqual(slugsOf(await inA({ inSeason: true })), [p.honeyCheap!.slug]);
    });

    it('combines filters', async () => {
      assert.deepEqual(slugsOf(await inA({ category: 'honey', inStock: true, cert: 'organic', maxCents: 800 })), [p.honeyCheap!.slug]);
      assert.deepEqual(slugsOf(await inA({ category: 'honey', cert: 'dop' })), []);
      const none = await listProducts(base({ coop: coopB.slug, region: coopA.region }), { locale: 'it', now: NOW });
      assert.deepEqual(slugsOf(none), []);
    });

    it('counts, for each filter value, the results it would give with the other filters kept', async () => {
      const l = await inA({ category: 'honey', inStock: true });
      assert.equal(l.total, 1);
      assert.equal(l.facets.category.get('honey'), 1);
      assert.equal(l.facets.category.get('cheese'), 1);
      assert.equal(l.facets.category.get('clothing'), 1);
      assert.equal(l.facets.inStock, 1);
      assert.equal(l.facets.coop.get(coopA.slug), 1);
      assert.equal(l.facets.coop.get(coopB.slug), 1, "the other co-op's honey is in stock");
      assert.equal(l.facets.cert.get('organic'), 1);
    });

    it('treats an unknown co-op as matching nothing', async () => {
      assert.equal((await listProducts(base({ coop: 'no-such-coop' }), { locale: 'it' })).total, 0);
    });
  });

  describe('sorting', () => {
    const sorted = async (sort: ListingFilters['sort'], locale: 'it' | 'en' = 'it') =>
      slugsOf(await listProducts(base({ coop: coopA.slug, sort }), { locale, now: NOW }));

    it('puts the newest first by default', async () => {
      assert.deepEqual(await sorted('newest'), [p.shirt!.slug, p.cheese!.slug, p.honeyDear!.slug, p.honeyCheap!.slug]);
    });

    it('sorts by price up and down, by the lowest variant price', async () => {
      assert.deepEqual(await sorted('price-asc'), [p.honeyCheap!.slug, p.cheese!.slug, p.honeyDear!.slug, p.shirt!.slug]);
      assert.deepEqual(await sorted('price-desc'), [p.shirt!.slug, p.honeyDear!.slug, p.cheese!.slug, p.honeyCheap!.slug]);
    });

    it("sorts by name in the reader's language", async () => {
      assert.deepEqual(await sorted('name', 'it'), [p.cheese!.slug, p.shirt!.slug, p.honeyCheap!.slug, p.honeyDear!.slug]);
      assert.deepEqual(await sorted('name', 'en'), [p.honeyCheap!.slug, p.honeyDear!.slug, p.cheese!.slug, p.shirt!.slug]);
    });
  });

  describe('pagination', () => {
    const page = (n: number) => listProducts(base({ coop: coopA.slug, page: n, sort: 'price-asc' }), { locale: 'it', perPage: 3 });

    it('splits results into pages', async () => {
      const one = await page(1);
      const two = await page(2);
      assert.equal(one.pages, 2);
      assert.deepEqual(slugsOf(one), [p.honeyCheap!.slug, p.cheese!.slug, p.honeyDear!.slug]);
      assert.deepEqual(slugsOf(two), [p.shirt!.slug]);
      assert.equal(two.pageClamped, false);
    });

    it('shows the last page for a page past the end, and says so', async () => {
      const far = await page(99_999);
      assert.equal(far.page, 2);
      assert.equal(far.pageClamped, true);
      assert.deepEqual(slugsOf(far), [p.shirt!.slug]);
    });

    it('has one empty page when nothing matches', async () => {
      const none = await listProducts(base({ coop: coopA.slug, cert: 'gots' }), { locale: 'it' });
      assert.equal(none.pages, 1);
      assert.equal(none.items.length, 0);
    });
  });

  describe('search', () => {
    const search = async (q: string) => slugsOf(await listProducts(base({ coop: coopA.slug, q }), { locale: 'it' }));

    it('finds "caffè" when asked for "caffe", and the reverse, in any case', async () => {
      assert.deepEqual(await search('caffe'), [p.cheese!.slug]);
      assert.deepEqual(await search('CAFFÈ'), [p.cheese!.slug]);
    });

    it('matches word prefixes', async () => {
      assert.deepEqual(await search('formag'), [p.cheese!.slug]);
    });

    it('searches the English text too', async () => {
      assert.deepEqual(await search('linen'), [p.shirt!.slug]);
    });

    it('searches co-op names and category names', async () => {
      const byCoop = await listProducts(base({ q: coopA.name }), { locale: 'it' });
      assert.equal(byCoop.total, 4);
      assert.deepEqual(new Set(await search('abbigliamento')), new Set([p.shirt!.slug]));
    });

    it('needs every word to match', async () => {
      assert.deepEqual(await search('miele acacia'), [p.honeyCheap!.slug]);
      assert.deepEqual(await search('miele lino'), []);
    });

    it('treats regular-expression characters as plain text', async () => {
      assert.deepEqual(await search('.*('), []);
      assert.deepEqual(await search('caff.*'), [p.cheese!.slug]);
      const snap = await catalog();
      assert.equal(searchProducts(snap, '.*( ) [ ]'), null);
    });
  });

  describe('what consumers may not see', () => {
    it('hides unpublished and archived products', async () => {
      assert.equal(await getPurchasable(String(p.unpublished!._id), 'default'), null);
      assert.equal(await getPurchasable(String(p.archived!._id), 'default'), null);
      assert.deepEqual(await getProductsByIds([String(p.unpublished!._id), String(p.cheese!._id)]).then((l) => l.map((x) => x.slug)), [
        p.cheese!.slug,
      ]);
    });

    it('hides the products of a paused co-op once it is paused', async () => {
      const coop = await makeCoop();
      const prod = await makeProduct(coop, { category: 'wine' });
      await catalogChanged();
      assert.ok(await getPurchasable(String(prod._id), 'default'));
      await CoopModel.updateOne({ _id: coop._id }, { $set: { status: 'paused' } });
      await catalogChanged();
      assert.equal(await getPurchasable(String(prod._id), 'default'), null);
      assert.equal((await listProducts(base({ coop: coop.slug }), { locale: 'it' })).total, 0);
    });

    it('never lists the products of pending co-ops', async () => {
      const coop = await makeCoop({ status: 'pending' });
      await makeProduct(coop);
      await catalogChanged();
      assert.equal((await catalog()).coopsBySlug.has(coop.slug), false);
    });
  });

  describe('getPurchasable', () => {
    it('gives the product, variant, co-op with shipping, and units on hand', async () => {
      const got = await getPurchasable(String(p.shirt!._id), 'M');
      assert.ok(got);
      assert.equal(got.variant.priceCents, 5200);
      assert.equal(got.onHand, 2);
      assert.equal(got.coop.slug, coopA.slug);
      assert.equal(typeof got.coop.shipping.flatCents, 'number');
      assert.equal(await getPurchasable(String(p.shirt!._id), 'XXL'), null);
      assert.equal(await getPurchasable('not-an-id', 'M'), null);
    });
  });

  describe('changes', () => {
    it('shows new stock after stockChanged', async () => {
      const coop = await makeCoop();
      const prod = await makeProduct(coop, { stock: 1 });
      await catalogChanged();
      await StockLevelModel.updateOne({ _id: stockId(prod._id, 'default') }, { $set: { onHand: 0 } });
      await stockChanged([String(prod._id)]);
      assert.equal((await getPurchasable(String(prod._id), 'default'))?.onHand, 0);
    });

    it('takes levels this process wrote as they are, however many, and reads only the others by _id', async () => {
      const coop = await makeCoop();
      const products = await Promise.all(Array.from({ length: 60 }, () => makeProduct(coop, { stock: 9 })));
      const other = await makeProduct(coop, { stock: 9 });
      await catalogChanged();
      // 60 holds written here (more than a partial reload's bound), one level changed by someone else.
      const written = new Map(products.map((p, i) => [stockId(p._id, 'default'), i % 9] as const));
      await StockLevelModel.updateOne({ _id: stockId(other._id, 'default') }, { $set: { onHand: 4 } });
      const loadsBefore = stockLoadCount();
      const reads: string[] = [];
      mongoose.set('debug', (collection: string, method: string, query: unknown) => {
        if (collection === 'stock_levels') reads.push(`${method} ${JSON.stringify(query)}`);
      });
      try {
        await stockChanged(
          [...products, other].map((p) => String(p._id)),
          { levels: written, since: loadsBefore },
        );
      } finally {
        mongoose.set('debug', false);
      }
      assert.equal(stockLoadCount(), loadsBefore, 'no reload of every level');
      assert.deepEqual(reads, [`findOne ${JSON.stringify({ _id: stockId(other._id, 'default') })}`]);
      assert.equal((await getPurchasable(String(products[10]!._id), 'default'))?.onHand, 1);
      assert.equal((await getPurchasable(String(other._id), 'default'))?.onHand, 4);
    });

    it('reloads when another process bumps the catalogue in the feed', async () => {
      const coop = await makeCoop();
      const prod = await makeProduct(coop);
      // Another process published this and bumped the catalogue; this one has not reloaded yet.
      await otherProcess.bump('catalog');
      assert.equal(await getPurchasable(String(prod._id), 'default'), null);
      assert.equal(await pollCatalogVersions(), 'catalog');
      assert.ok(await getPurchasable(String(prod._id), 'default'));
      assert.equal(await pollCatalogVersions(), 'none');
    });

    it('does not reload all stock when a poll reads the token its own bump just replaced', async () => {
      const coop = await makeCoop();
      const prod = await makeProduct(coop, { stock: 3 });
      await catalogChanged();
      await stockChanged([String(prod._id)]);
      assert.equal(await pollCatalogVersions(), 'none');
      const before = (await FeedVersionModel.findById('stock').lean())!.token;
      await stockChanged([String(prod._id)]);
      // The poll's read was answered before the bump's write landed: it sees the token the bump replaced.
      await FeedVersionModel.updateOne({ _id: 'stock' }, { $set: { token: before } });
      const loads = stockLoadCount();
      assert.equal(await pollCatalogVersions(), 'none');
      assert.equal(stockLoadCount(), loads);
      // Another process's bump is still picked up.
      await otherProcess.bump('stock');
      assert.equal(await pollCatalogVersions(), 'stock');
      assert.equal(stockLoadCount(), loads + 1);
    });

    it('folds concurrent refreshes into at most two loads, each caller seeing the latest', async () => {
      const coop = await makeCoop();
      const results = await Promise.all([
        refreshCatalog(),
        refreshCatalog(),
        (async () => {
          await makeProduct(coop, { nameIt: 'Ultimo arrivato' });
          return refreshCatalog();
        })(),
      ]);
      assert.ok(results[2]!.byCoop.get(String(coop._id))?.length === 1);
      await ProductModel.deleteMany({ coop: coop._id });
    });
  });
});

describe('parseListingQuery', () => {
  it('reads valid filters', () => {
    const { filters, notices } = parseListingQuery({
      coop: 'terre-di-puglia',
      region: 'Puglia',
      cert: 'organic',
      min: '5',
      max: '12,50',
      stock: '1',
      season: 'on',
      sort: 'price-asc',
      page: '3',
      q: ' miele ',
    });
    assert.deepEqual(notices, []);
    assert.deepEqual(filters, {
      coop: 'terre-di-puglia',
      region: 'Puglia',
      cert: 'organic',
      minCents: 500,
      maxCents: 1250,
      inStock: true,
      inSeason: true,
      sort: 'price-asc',
      page: 3,
      q: 'miele',
    });
  });

  it('drops a negative price, a bad page and a bad sort with notices', () => {
    const { filters, notices } = parseListingQuery({ min: '-5', page: '-1', sort: 'drop table' });
    assert.deepEqual(filters, { sort: 'newest', page: 1 });
    assert.deepEqual(new Set(notices), new Set(['badPrice', 'badPage', 'ignoredParams']));
  });

  it('drops repeated and bracketed parameters, never passing an object on', () => {
    const { filters, notices } = parseListingQuery({ coop: ['a', 'b'], 'price[$gt]': '0', region: { $ne: null } as unknown as string });
    assert.deepEqual(filters, { sort: 'newest', page: 1 });
    assert.deepEqual(notices, ['ignoredParams']);
  });

  it('shortens a 10 KB search to 100 characters, with a notice', () => {
    const { filters, notices } = parseListingQuery({ q: 'a'.repeat(10_240) });
    assert.equal(filters.q?.length, 100);
    assert.deepEqual(notices, ['qTooLong']);
  });

  it('swaps a minimum above the maximum', () => {
    const { filters, notices } = parseListingQuery({ min: '20', max: '10' });
    assert.equal(filters.minCents, 1000);
    assert.equal(filters.maxCents, 2000);
    assert.deepEqual(notices, ['priceSwapped']);
  });

  it('ignores empty fields, as an untouched form sends them', () => {
    assert.deepEqual(parseListingQuery({ coop: '', min: '', q: '' }), { filters: { sort: 'newest', page: 1 }, notices: [] });
  });

  it('writes a stable query string without defaults', () => {
    assert.equal(
      listingQueryString({ page: 2, sort: 'name', maxCents: 1250, coop: 'x', inStock: true }),
      '?coop=x&max=12.50&stock=1&sort=name&page=2',
    );
    assert.equal(listingQueryString({ page: 1, sort: 'newest' }), '');
  });
});

describe('catalogChanged with product ids', () => {
  /** The product queries Mongoose sends while `fn` runs, as "method" names. */
  async function productQueries(fn: () => Promise<unknown>): Promise<string[]> {
    const seen: string[] = [];
    mongoose.set('debug', (collection: string, method: string) => {
      if (collection === 'products') seen.push(method);
    });
    try {
      await fn();
    } finally {
      mongoose.set('debug', false);
    }
    return seen;
  }

  it('re-reads only those products, by _id, and shows edits, new products and withdrawals', async () => {
    const coop = await makeCoop();
    const kept = await makeProduct(coop, { nameIt: 'Nome vecchio' });
    const withdrawn = await makeProduct(coop);
    await catalogChanged();
    const added = await makeProduct(coop, { stock: 7 });
    await ProductModel.updateOne({ _id: kept._id }, { $set: { 'name.it': 'Nome nuovo' } });
    await ProductModel.updateOne({ _id: withdrawn._id }, { $set: { published: false } });
    const queries = await productQueries(() =>
      catalogChanged({ productIds: [String(kept._id), String(withdrawn._id), String(added._id)] }),
    );
    assert.deepEqual(new Set(queries), new Set(['findOne']), 'only lookups by _id');
    assert.equal((await getPurchasable(String(kept._id), 'default'))?.product.name.it, 'Nome nuovo');
    assert.equal(await getPurchasable(String(withdrawn._id), 'default'), null);
    assert.equal((await getPurchasable(String(added._id), 'default'))?.onHand, 7);
    assert.equal((await listProducts(base({ coop: coop.slug }), { locale: 'it' })).total, 2);
  });

  it('is picked up by other processes through the change record', async () => {
    const coop = await makeCoop();
    const p = await makeProduct(coop, { nameIt: 'Prima' });
    await catalogChanged();
    await ProductModel.updateOne({ _id: p._id }, { $set: { 'name.it': 'Dopo' } });
    // Another process edited it and published a change record; this one has not reloaded yet.
    await otherProcess.publish([String(p._id)]);
    assert.equal((await getPurchasable(String(p._id), 'default'))?.product.name.it, 'Prima');
    assert.equal(await pollCatalogVersions(), 'products');
    assert.equal((await getPurchasable(String(p._id), 'default'))?.product.name.it, 'Dopo');
    assert.equal(await pollCatalogVersions(), 'none');
  });
});
