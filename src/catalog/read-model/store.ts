import { stockId } from '../stock.model';
import type { CatalogProduct, CatalogSnapshot } from './types';

/**
 * A process's memory of the catalogue: the snapshot of products and
 * co-ops, and the units on hand beside it (kept apart, so a stock change
 * replaces only that). Both are replaced whole, never changed in place;
 * `generation` moves on every replacement, and caches built on the
 * catalogue (listings here, rendered pages in page-cache.ts) compare it.
 */
export class CatalogStore {
  private current: CatalogSnapshot | null = null;
  /** Units on hand by stock id ("<productId>:<sku>"). */
  private stock = new Map<string, number>();
  /** Units on hand per product row of `current`, rebuilt lazily after either changes. */
  private totals: { snap: CatalogSnapshot; onHand: Int32Array } | null = null;
  private gen = 0;
  /** Moves with `gen`, except on a stock change that leaves every product in (or out of) stock: see `shapeGeneration`. */
  private shape = 0;
  /** Results worked out from the catalogue (see `memo`), valid for `memoGen` only. */
  private memos = new Map<string, unknown>();
  private memoGen = 0;

  /** The snapshot, or null before the first load. */
  get snapshot(): CatalogSnapshot | null {
    return this.current;
  }

  /** A number that changes whenever what the catalogue shows may have changed. */
  get generation(): number {
    return this.gen;
  }

  /**
   * A number that changes when the products or co-ops change, or when a
   * product goes out of stock or back in: not when a sale only lowers a
   * level. Listings, cards and facet counts show stock as "in stock or not"
   * alone, so what is worked out or rendered from them stays valid while
   * this stays put; a page that shows a level itself (a product's "3
   * left") also compares that level (see `levelsOf`).
   */
  get shapeGeneration(): number {
    return this.shape;
  }

  /** The units on hand as last loaded (a copy to change and pass to `setStock`). */
  stockCopy(): Map<string, number> {
    return new Map(this.stock);
  }

  setSnapshot(next: CatalogSnapshot): void {
    this.current = next;
    this.totals = null;
    this.gen++;
    this.shape++;
  }

  setStock(next: Map<string, number>): void {
    const before = this.stock;
    this.stock = next;
    this.totals = null;
    this.gen++;
    if (this.crossedZero(before, next)) this.shape++;
  }

  /** Whether a product of the snapshot is in stock under one set of levels and not under the other. */
  private crossedZero(before: Map<string, number>, after: Map<string, number>): boolean {
    const snap = this.current;
    if (!snap) return true;
    const moved = new Set<string>();
    for (const [id, n] of after) if (before.get(id) !== n) moved.add(id.slice(0, id.indexOf(':')));
    for (const [id, n] of before) if (after.get(id) !== n) moved.add(id.slice(0, id.indexOf(':')));
    for (const productId of moved) {
      const p = snap.byId.get(productId);
      if (p && sumOf(p, before) > 0 !== sumOf(p, after) > 0) return true;
    }
    return false;
  }

  /** The units on hand of each variant of `p`, as a string that changes when any of them does. */
  levelsOf(p: CatalogProduct): string {
    return p.variants.map((v) => this.stock.get(stockId(p.id, v.sku)) ?? 0).join(',');
  }

  /** Units on hand per product row of `snap` (all variants together). */
  onHandTotals(snap: CatalogSnapshot): Int32Array {
    if (this.totals?.snap === snap) return this.totals.onHand;
    const onHand = new Int32Array(snap.products.length);
    for (const p of snap.products) onHand[p.idx] = this.sumOnHand(p);
    this.totals = { snap, onHand };
    return onHand;
  }

  /** Units on hand for one variant, as last loaded (at most a few seconds old). */
  onHandOf(productId: string, sku: string): number {
    return this.stock.get(stockId(productId, sku)) ?? 0;
  }

  /** Units on hand over all variants of a product of the current snapshot. */
  productOnHand(p: CatalogProduct): number {
    if (this.current?.products[p.idx] === p) return this.onHandTotals(this.current)[p.idx]!;
    return this.sumOnHand(p);
  }

  /**
   * A value worked out from the catalogue and from whether each product is
   * in stock (not from levels), kept until either changes (`shapeGeneration`).
   * At most `max` are kept; the oldest goes first.
   */
  memo<T>(key: string, build: () => T, max = 300): T {
    if (this.memoGen !== this.shape) {
      this.memos = new Map();
      this.memoGen = this.shape;
    }
    if (this.memos.has(key)) return this.memos.get(key) as T;
    const value = build();
    if (this.memos.size >= max) this.memos.delete(this.memos.keys().next().value!);
    this.memos.set(key, value);
    return value;
  }

  private sumOnHand(p: CatalogProduct): number {
    return sumOf(p, this.stock);
  }
}

function sumOf(p: CatalogProduct, stock: Map<string, number>): number {
  let n = 0;
  for (const v of p.variants) n += stock.get(stockId(p.id, v.sku)) ?? 0;
  return n;
}
