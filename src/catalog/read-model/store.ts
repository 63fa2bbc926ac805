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

  /** The units on hand as last loaded (a copy to change and pass to `setStock`). */
  stockCopy(): Map<string, number> {
    return new Map(this.stock);
  }

  setSnapshot(next: CatalogSnapshot): void {
    this.current = next;
    this.totals = null;
    this.gen++;
  }

  setStock(next: Map<string, number>): void {
    this.stock = next;
    this.totals = null;
    this.gen++;
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
   * A value worked out from the catalogue, kept until the catalogue or
   * stock changes. At most `max` are kept; the oldest goes first.
   */
  memo<T>(key: string, build: () => T, max = 300): T {
    if (this.memoGen !== this.gen) {
      this.memos = new Map();
      this.memoGen = this.gen;
    }
    if (this.memos.has(key)) return this.memos.get(key) as T;
    const value = build();
    if (this.memos.size >= max) this.memos.delete(this.memos.keys().next().value!);
    this.memos.set(key, value);
    return value;
  }

  private sumOnHand(p: CatalogProduct): number {
    let n = 0;
    for (const v of p.variants) n += this.stock.get(stockId(p.id, v.sku)) ?? 0;
    return n;
  }
}
