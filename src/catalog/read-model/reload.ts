import { Types } from 'mongoose';
import type { ChangeFeed } from '../../platform/change-feed';
import type { Job } from '../../platform/jobs';
import type { Logger } from '../../platform/logger';
import { stockId } from '../stock.model';
import { buildSnapshot, toCatalogCoop, toCatalogProduct } from './build';
import { readAllStock, readCoops, readListedProducts, readProduct, readStock } from './source';
import { CatalogStore } from './store';
import { StockSignal } from './stock-signal';
import type { CatalogProduct, CatalogSnapshot, KnownStock } from './types';
import type { Product } from '../product.model';

/** The feed's topics: "catalog" is anything (reload all), "stock" is any stock level (reload all stock). */
export type CatalogTopic = 'catalog' | 'stock';

/** Above this many products a change reloads everything: one scan beats many lookups. */
const MAX_PARTIAL = 50;

export const CATALOG_POLL_MS = 2_000;

/**
 * The in-process read model of the published catalogue: the published,
 * non-archived products of approved co-ops, in memory with the indexes
 * the pages need, so listings, searches and product pages make no
 * database query at all.
 *
 * One object owns all of it: the memory (`store`), the feed through which
 * the processes tell each other of changes, the order of reloads, and the
 * batching of stock signals. Edits call `catalogChanged()` or
 * `stockChanged()`, which reload this process at once and tell the others
 * through the feed; each process reads the feed every 2 s (`poll`, run by
 * the `catalog-poll` job).
 */
export class CatalogReadModel {
  readonly store = new CatalogStore();
  readonly stockSignal: StockSignal;
  /** Reloads run one at a time, so a partial reload never lands under an older full one. */
  private chain: Promise<unknown> = Promise.resolve();
  /** A full load that is queued and not started yet: later callers share it. */
  private pendingFull: Promise<CatalogSnapshot> | null = null;
  /** How many times all stock was read; values written before the latest read may be older than it. */
  private stockLoads = 0;

  constructor(private readonly feed: ChangeFeed<CatalogTopic>) {
    this.stockSignal = new StockSignal(this);
  }

  stockLoadCount(): number {
    return this.stockLoads;
  }

  /** The current snapshot, loading it on first use (tests and scripts need no start-up step). */
  async catalog(): Promise<CatalogSnapshot> {
    return this.store.snapshot ?? this.refresh();
  }

  /**
   * Reloads this process's catalogue from the database. Calls that arrive
   * during a load are folded into one more load after it, so a burst of
   * edits costs at most two loads and every caller sees its own edit.
   */
  refresh(): Promise<CatalogSnapshot> {
    if (this.pendingFull) return this.pendingFull;
    const run = this.serial(() => {
      this.pendingFull = null;
      return this.loadAll();
    });
    this.pendingFull = run;
    return run;
  }

  /**
   * Products or co-ops were edited (created, published, archived, approved,
   * paused…): tells every app process and reloads this one. Resolves once
   * this process shows the change.
   *
   * With `productIds` (an edit of a few products, co-ops unchanged) only
   * those are re-read, here and in the other processes, by `_id`: cheap at
   * any catalogue size. Without, every process reloads everything.
   */
  async catalogChanged(opts: { productIds?: string[] } = {}): Promise<void> {
    const ids = [...new Set(opts.productIds ?? [])];
    if (ids.length && ids.length <= MAX_PARTIAL && this.store.snapshot) {
      await this.feed.publish(ids);
      await this.serial(() => this.reloadProducts(ids));
      return;
    }
    await this.feed.bump('catalog');
    await this.refresh();
  }

  /**
   * Stock levels changed. With product ids, only their stock is re-read here
   * (a few `_id` lookups), or taken from `known` when this process wrote it
   * and no full reload has happened since; other processes re-read all
   * stock on their next poll.
   */
  async stockChanged(productIds?: string[], known?: KnownStock): Promise<void> {
    await this.feed.bump('stock');
    const snap = this.store.snapshot;
    if (!productIds || !snap) {
      this.store.setStock(await this.loadStock());
      return;
    }
    const ids = productIds.flatMap((pid) => snap.byId.get(pid)?.variants.map((v) => stockId(pid, v.sku)) ?? []);
    if (!ids.length) return;
    const written = known && known.since === this.stockLoads ? known.levels : new Map<string, number>();
    const unknown = ids.filter((id) => !written.has(id));
    // Only the levels to read count against the bound: a busy checkout window touches many items, all written here.
    if (unknown.length > MAX_PARTIAL) {
      this.store.setStock(await this.loadStock());
      return;
    }
    const levels = await Promise.all(unknown.map(readStock));
    const next = this.store.stockCopy();
    unknown.forEach((id, i) => next.set(id, levels[i]!));
    for (const id of ids) if (written.has(id)) next.set(id, written.get(id)!);
    this.store.setStock(next);
  }

  /** One read of the feed: reloads what another process changed. */
  async poll(): Promise<'catalog' | 'products' | 'stock' | 'none'> {
    const state = await this.feed.read();
    if (this.feed.bumped(state, 'catalog')) {
      await this.refresh();
      return 'catalog';
    }
    const fresh = this.feed.fresh(state);
    let result: 'products' | 'stock' | 'none' = 'none';
    if (fresh.length) {
      const ids = [...new Set(fresh.flatMap((c) => c.keys))];
      await this.serial(async () => {
        if (ids.length <= MAX_PARTIAL) await this.reloadProducts(ids);
        else await this.loadAll();
      });
      result = 'products';
    }
    if (this.feed.bumped(state, 'stock')) {
      this.feed.seenTopic(state, 'stock');
      this.store.setStock(await this.loadStock());
      return 'stock';
    }
    return result;
  }

  /**
   * What keeps this process's catalogue current: the poll of the feed
   * (every process) and the clean-up of the feed's old records.
   */
  jobs(pollMs = CATALOG_POLL_MS): Job[] {
    // The poll never backs off: once the database answers again, the next poll (2 s on) catches up.
    return [{ name: 'catalog-poll', everyMs: pollMs, maxBackoffMs: pollMs, perProcess: true, run: () => this.poll() }, ...this.feed.jobs()];
  }

  /** Loads the catalogue at start-up and says how big it is. */
  async load(logger: Logger): Promise<void> {
    const t0 = Date.now();
    const snap = await this.refresh();
    logger.info({ products: snap.products.length, coops: snap.coops.length, ms: Date.now() - t0 }, 'catalogue loaded');
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async loadStock(): Promise<Map<string, number>> {
    this.stockLoads++;
    return readAllStock();
  }

  private async loadAll(): Promise<CatalogSnapshot> {
    // The feed is read before the data: a change landing during the load is news on the next poll.
    const state = await this.feed.read();
    const [coopDocs, productDocs, stockLevels] = await Promise.all([readCoops(), readListedProducts(), this.loadStock()]);
    const coops = coopDocs.map(toCatalogCoop);
    const products = productDocs.map((d) => toCatalogProduct(d as unknown as Product));
    const next = buildSnapshot(coops, products);
    this.store.setSnapshot(next);
    this.store.setStock(stockLevels);
    this.feed.seenAll(state);
    return next;
  }

  /**
   * Re-reads only these products and their stock, each by `_id`, and
   * rebuilds the snapshot's indexes from memory. A product that is now
   * unpublished, archived or gone leaves the catalogue.
   */
  private async reloadProducts(ids: string[]): Promise<void> {
    const snap = this.store.snapshot ?? (await this.loadAll());
    const docs = await Promise.all(ids.map(async (id) => (Types.ObjectId.isValid(id) ? readProduct(id) : null)));
    const rows = new Map(snap.products.map((p) => [p.id, p]));
    const live: CatalogProduct[] = [];
    ids.forEach((id, i) => {
      const d = docs[i];
      if (d && d.published && !d.archived) {
        const p = toCatalogProduct(d as unknown as Product);
        rows.set(id, p);
        live.push(p);
      } else rows.delete(id);
    });
    const stockIds = live.flatMap((p) => p.variants.map((v) => stockId(p.id, v.sku)));
    const levels = await Promise.all(stockIds.map(readStock));
    const nextStock = this.store.stockCopy();
    stockIds.forEach((id, i) => nextStock.set(id, levels[i]!));
    this.store.setSnapshot(buildSnapshot(snap.coops, [...rows.values()]));
    this.store.setStock(nextStock);
  }
}
