import type { KnownStock } from './types';

/** How long stock moves are gathered before the catalogue hears of them. */
const SIGNAL_WINDOW_MS = 500;

/**
 * Tells the catalogue that stock moved, at most once per `SIGNAL_WINDOW_MS`
 * per process, with every product touched in between. Each `stockChanged`
 * bumps the feed's stock topic; one per checkout would make that the cost
 * of a checkout. The levels the writes returned are passed on (`known`), so
 * the catalogue does not read them back. Concurrent writes may return in
 * any order: `seq` (counted by each write) keeps the newest level of each
 * item.
 */
export class StockSignal {
  private pending = new Set<string>();
  private known: KnownStock | null = null;
  /** The newest `seq` seen per stock id. */
  private readonly newest = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly catalogue: { stockChanged(productIds: string[], known?: KnownStock): Promise<void>; stockLoadCount(): number },
  ) {}

  /**
   * A stock write returned this level. With `signal` the catalogue hears of
   * it within the window; without (an edit or a restock, rare) the caller
   * refreshes it at once with `stockChanged`.
   */
  noteLevel(stockId: string, onHand: number, seq: number, signal: boolean): void {
    if ((this.newest.get(stockId) ?? -1) >= seq) return;
    this.newest.set(stockId, seq);
    this.known ??= { levels: new Map(), since: this.catalogue.stockLoadCount() };
    this.known.levels.set(stockId, onHand);
    if (signal) this.signal([stockId.slice(0, stockId.indexOf(':'))]);
  }

  /** Products whose stock moved: the catalogue re-reads them within the window. */
  signal(productIds: Iterable<string>): void {
    for (const id of productIds) this.pending.add(id);
    if (this.timer) return;
    this.timer = setTimeout(() => {
      const ids = [...this.pending];
      const levelsKnown = this.known ?? undefined;
      this.pending = new Set();
      this.known = null;
      this.timer = null;
      void this.catalogue.stockChanged(ids, levelsKnown).catch(() => undefined);
    }, SIGNAL_WINDOW_MS);
    this.timer.unref();
  }
}
