import { createHash } from 'node:crypto';
import type { Filter, UpdateFilter } from 'mongodb';
import { rawCollection } from '../platform/db';
import { conflict } from '../platform/errors';
import { catalogReadModel } from './read-model';
import { decodeHold, encodeHold, StockLevelModel, type StockHold, type StockLevel } from './stock.model';

/**
 * The one owner of stock: every change of a StockLevel goes through here
 * (checkout holds, their release and sale, a co-op's edit and CSV import,
 * a refund's restock). Each change is one conditional update of the item's
 * document by `_id`, which is atomic (platform/db.ts; proved by
 * test/platform/engine.conformance.test.ts), so no writer can lose
 * another's units and no lock is needed:
 *
 * - hold: `{ _id, onHand ≥ q, holds.<order> absent }` → `onHand −= q`, `holds.<order> = "q:exp"`;
 * - release: `{ _id, holds.<order> = the hold read }` → `onHand += q`, unset `holds.<order>`;
 * - sale: `{ _id, holds.<order> = the hold read }` → `holds.<order> = "q:exp:sold"`; once
 *   the order's reservation says sold, the entry goes (`dropSoldHold`);
 * - edit: `onHand += difference` (a decrease guarded by `onHand ≥ −difference`);
 * - restock: `{ _id, restocked.<line> absent }` → `onHand += q`, `restocked.<line> = now`.
 *
 * Because a hold and the record of it are the same write, a crash can never
 * leave units taken without saying for whom (issue 14, defect 9), and every
 * step is safe to run again: a second hold, release, sale or restock of the
 * same order or refund line finds its own mark and changes nothing.
 */

const levels = () => rawCollection(StockLevelModel);
const holdKey = (orderId: string) => `holds.${orderId}`;

/** Thrown when a line cannot be held; `details.stockId` names it. */
export const outOfStock = (stockId: string, available: number) => {
  const e = conflict('out_of_stock', 'Not enough stock');
  (e as { details?: Record<string, unknown> }).details = { stockId, available };
  return e;
};

/**
 * One guarded write. The level it leaves is read back in the same command,
 * so the catalogue can show it without another read (see `noteLevel`).
 * With `signal` the catalogue hears of it within half a second; without
 * (an edit or a restock, rare) the caller refreshes it at once with
 * `stockChanged`. Null when the filter matched nothing.
 */
async function write(
  filter: Filter<StockLevel>,
  update: UpdateFilter<StockLevel>,
  signal = true,
): Promise<Pick<StockLevel, 'onHand' | 'seq' | 'holds'> | null> {
  const now = new Date();
  const moved = '$inc' in update && (update.$inc as Record<string, number>).onHand !== undefined;
  const doc = await levels().findOneAndUpdate(
    filter,
    {
      ...update,
      $inc: { ...(update.$inc as object), seq: 1 },
      $set: { ...(update.$set as object), updatedAt: now },
    } as UpdateFilter<StockLevel>,
    // No projection: findAndModify takes none in the subset we use (platform/db.ts).
    { returnDocument: 'after' },
  );
  if (doc && moved) noteLevel(String(filter._id), doc.onHand, doc.seq ?? 0, signal);
  return doc;
}

/** The item's level and, with `orderId`, that order's hold as stored: one `_id` read. */
async function read(stockId: string, orderId?: string): Promise<{ onHand: number; stored?: string } | null> {
  const doc = await levels().findOne({ _id: stockId }, { projection: orderId ? { onHand: 1, [holdKey(orderId)]: 1 } : { onHand: 1 } });
  return doc && { onHand: doc.onHand, stored: orderId ? doc.holds?.[orderId] : undefined };
}

/**
 * Takes `q` units off for `orderId` until `exp`. Idempotent: when the order
 * already holds units of this item (a retry after a crash), that hold
 * stands and nothing more is taken. Throws `out_of_stock` when fewer than
 * `q` units are free (or the item is gone).
 */
export async function holdUnits(stockId: string, orderId: string, q: number, exp: Date): Promise<'held' | 'already_held'> {
  const key = holdKey(orderId);
  const done = await write(
    { _id: stockId, onHand: { $gte: q }, [key]: { $exists: false } },
    { $inc: { onHand: -q }, $set: { [key]: encodeHold({ q, exp }) } },
  );
  if (done) return 'held';
  const now = await read(stockId, orderId);
  if (now?.stored) return 'already_held';
  throw outOfStock(stockId, now?.onHand ?? 0);
}

export type ReleaseOutcome = 'released' | 'none' | 'sold';

/** How many times a step re-reads a hold that changed under it before giving up (it never should need many). */
const ATTEMPTS = 5;

/**
 * Gives the order's held units of this item back. Idempotent: with no hold
 * (never made, or given back already) it changes nothing (`none`); a hold
 * being sold is never given back (`sold`). The write is guarded on the
 * exact hold read, so the units go back once, for that hold.
 */
export async function releaseHold(stockId: string, orderId: string): Promise<{ outcome: ReleaseOutcome; units: number }> {
  const key = holdKey(orderId);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const stored = (await read(stockId, orderId))?.stored;
    if (!stored) return { outcome: 'none', units: 0 };
    const hold = decodeHold(stored);
    if (hold.sold) return { outcome: 'sold', units: 0 };
    if (await write({ _id: stockId, [key]: stored }, { $inc: { onHand: hold.q }, $unset: { [key]: '' } }))
      return { outcome: 'released', units: hold.q };
    // The hold changed between the read and the write (released or sold meanwhile): look again.
  }
  throw conflict('stock_busy', 'The hold kept changing; try again');
}

/**
 * Marks the order's hold of this item sold: its units stay out for good.
 * Returns the hold (also when an earlier, interrupted sale marked it), or
 * null when there is none: never made, given back, or already sold and
 * dropped (the caller's reservation tells which).
 */
export async function markHoldSold(stockId: string, orderId: string, at = new Date()): Promise<StockHold | null> {
  const key = holdKey(orderId);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const stored = (await read(stockId, orderId))?.stored;
    if (!stored) return null;
    const hold = decodeHold(stored);
    if (hold.sold) return hold;
    const sold = { ...hold, sold: at };
    if (await write({ _id: stockId, [key]: stored }, { $set: { [key]: encodeHold(sold) } })) return sold;
  }
  throw conflict('stock_busy', 'The hold kept changing; try again');
}

/** Removes a sold hold once the sale is recorded elsewhere (the order's reservation). Idempotent. */
export async function dropSoldHold(stockId: string, orderId: string): Promise<void> {
  const stored = (await read(stockId, orderId))?.stored;
  if (stored && decodeHold(stored).sold) await write({ _id: stockId, [holdKey(orderId)]: stored }, { $unset: { [holdKey(orderId)]: '' } });
}

/** A hold found by a scan of the stock levels. */
export interface FoundHold extends StockHold {
  stockId: string;
  orderId: string;
}

/**
 * Every hold, with its item and order. A scan of the stock levels (only
 * `_id` filters are sure to reach an index): for the periodic jobs, every few
 * minutes, never on a request.
 */
export async function allHolds(): Promise<FoundHold[]> {
  const docs = await levels()
    .find({ holds: { $exists: true } }, { projection: { holds: 1 } })
    .toArray();
  return docs.flatMap((d) =>
    Object.entries(d.holds ?? {}).map(([orderId, stored]) => ({ ...decodeHold(stored), stockId: d._id, orderId })),
  );
}

/** The items an order holds units of, for an order whose lines are unknown (a scan: periodic jobs only). */
export async function itemsHeldFor(orderId: string): Promise<string[]> {
  const docs = await levels()
    .find({ [holdKey(orderId)]: { $exists: true } }, { projection: { _id: 1 } })
    .toArray();
  return docs.map((d) => d._id);
}

/**
 * Changes the free units by `delta` (a co-op's edit: the count the member
 * entered minus the count the form showed). Creates the level, at zero
 * plus `delta`, when the variant has none yet. A decrease never goes below
 * zero: when fewer units are free than the member took off (sold or held
 * since the form was read), the free ones go and `short` says how many
 * could not, so the caller can tell the member instead of hiding it.
 */
export async function adjustStock(
  stockId: string,
  delta: number,
  item: { product: StockLevel['product']; sku: string },
): Promise<{ onHand: number; short: number }> {
  if (delta >= 0) {
    const now = new Date();
    const doc = await levels().findOneAndUpdate(
      { _id: stockId },
      { $inc: { onHand: delta, seq: 1 }, $set: { updatedAt: now }, $setOnInsert: { product: item.product, sku: item.sku, createdAt: now } },
      { upsert: true, returnDocument: 'after' },
    );
    if (delta && doc) noteLevel(stockId, doc.onHand, doc.seq ?? 0, false);
    return { onHand: doc?.onHand ?? delta, short: 0 };
  }
  const take = -delta;
  const done = await write({ _id: stockId, onHand: { $gte: take } }, { $inc: { onHand: delta } }, false);
  if (done) return { onHand: done.onHand, short: 0 };
  // Fewer free units than the member took off: take what is free, guarded on the exact level read.
  for (let attempt = 0; attempt < 5; attempt++) {
    const level = await read(stockId);
    if (!level) return adjustStock(stockId, 0, item).then((r) => ({ ...r, short: take }));
    if (level.onHand >= take) {
      const again = await write({ _id: stockId, onHand: { $gte: take } }, { $inc: { onHand: delta } }, false);
      if (again) return { onHand: again.onHand, short: 0 };
      continue;
    }
    const cleared = await write({ _id: stockId, onHand: level.onHand }, { $inc: { onHand: -level.onHand } }, false);
    if (cleared) return { onHand: 0, short: take - level.onHand };
  }
  throw conflict('stock_busy', 'The stock kept changing; try again');
}

/**
 * Puts `quantity` units of a refunded line back, once: the mark of the
 * refund line is set in the same write, so a retry (or a crash and a
 * retry) never restocks twice. False when already done or the item is gone.
 * The mark's key is a hash: refund ids carry a request id from a form,
 * which may hold characters a field name cannot.
 */
export async function restockForRefund(stockId: string, refundLine: string, quantity: number): Promise<boolean> {
  const key = `restocked.${createHash('sha256').update(refundLine).digest('hex').slice(0, 32)}`;
  const done = await write({ _id: stockId, [key]: { $exists: false } }, { $inc: { onHand: quantity }, $set: { [key]: Date.now() } }, false);
  return !!done;
}

/** Passes a level a write returned on to the catalogue (see StockSignal). */
function noteLevel(stockId: string, onHand: number, seq: number, signal: boolean): void {
  catalogReadModel.stockSignal.noteLevel(stockId, onHand, seq, signal);
}
