import { stockChanged } from '../catalog';

/**
 * Tells the catalogue that stock moved, at most once per `WINDOW_MS` per
 * process, with every product touched in between. Each `stockChanged`
 * bumps a version document and re-reads stock, which on FerretDB reads the
 * collection; one per checkout would make that the cost of a checkout.
 * The shown stock lags by at most the window; holds themselves are exact.
 */
const WINDOW_MS = 500;
let pending = new Set<string>();
let timer: NodeJS.Timeout | null = null;

export function signalStockChanged(productIds: Iterable<string>): void {
  for (const id of productIds) pending.add(id);
  if (timer) return;
  timer = setTimeout(() => {
    const ids = [...pending];
    pending = new Set();
    timer = null;
    void stockChanged(ids).catch(() => undefined);
  }, WINDOW_MS);
  timer.unref();
}
