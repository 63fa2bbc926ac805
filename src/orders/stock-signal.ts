import { stockChanged, stockLoadCount, type KnownStock } from '../catalog';

/**
 * Tells the catalogue that stock moved, at most once per `WINDOW_MS` per
 * process, with every product touched in between. Each `stockChanged`
 * bumps a version document; one per checkout would make that the cost of
 * a checkout. The levels written here are passed on with their values
 * (`noteStockLevel`), so the catalogue does not read them back.
 * The shown stock lags by at most the window; holds themselves are exact.
 */
const WINDOW_MS = 500;
let pending = new Set<string>();
let known: KnownStock | null = null;
let timer: NodeJS.Timeout | null = null;

/** A stock level this process has just written (under the item's lock), and its new value. */
export function noteStockLevel(stockId: string, onHand: number): void {
  known ??= { levels: new Map(), since: stockLoadCount() };
  known.levels.set(stockId, onHand);
}

export function signalStockChanged(productIds: Iterable<string>): void {
  for (const id of productIds) pending.add(id);
  if (timer) return;
  timer = setTimeout(() => {
    const ids = [...pending];
    const levels = known ?? undefined;
    pending = new Set();
    known = null;
    timer = null;
    void stockChanged(ids, levels).catch(() => undefined);
  }, WINDOW_MS);
  timer.unref();
}
