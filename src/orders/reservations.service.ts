import { Types } from 'mongoose';
import { allHolds, dropSoldHold, holdUnits, itemsHeldFor, markHoldSold, releaseHold, type StockHold } from '../catalog';
import { rawCollection } from '../platform/db';
import type { Job } from '../platform/jobs';
import { ReservationModel, reservationId, type Reservation } from './reservation.model';

export { outOfStock } from '../catalog';

/**
 * An order's stock: the holds themselves live in the stock levels
 * (catalog/stock.service.ts), where taking the units and recording for
 * whom are one write. A Reservation document per order and item is the
 * lasting record of what became of a hold (held, then sold or released),
 * for listing and for telling "sold" from "given back" once the hold is
 * gone. It is written after the hold, so a crash in between leaves a hold
 * without its reservation, never the reverse; every function here mends
 * that when it runs again (as do the periodic jobs):
 *
 * - a hold's reservation is written by `reserveStock` after all lines are held;
 * - a sale marks the hold sold, then its reservation sold, then drops the hold:
 *   a hold marked sold is finished by the next sale call or the periodic job;
 * - a release gives the units back, then marks its reservation released:
 *   no hold and a reservation still "held" can only mean that.
 */

export interface StockRequest {
  stockId: string;
  quantity: number;
}

const reservations = () => rawCollection(ReservationModel);

/** One request per item (a cart may name one item on two lines), in a fixed order. */
function byItem(requests: StockRequest[]): StockRequest[] {
  const total = new Map<string, number>();
  for (const r of requests) total.set(r.stockId, (total.get(r.stockId) ?? 0) + r.quantity);
  return [...total].map(([stockId, quantity]) => ({ stockId, quantity })).sort((a, b) => a.stockId.localeCompare(b.stockId));
}

/**
 * Holds every requested line for `orderId`, or none: when one line cannot
 * be held, every line is given back and `out_of_stock` thrown. Safe to
 * run again (a retry after a crash): lines already held stay as they are,
 * and a line already sold to this order is not taken a second time.
 */
export async function reserveStock(orderId: Types.ObjectId, requests: StockRequest[], expiresAt: Date): Promise<void> {
  const order = String(orderId);
  const lines = byItem(requests);
  // No lock between items, so no deadlock: the lines are held at once and all given back if one fails.
  const held = await Promise.allSettled(lines.map((r) => holdUnits(r.stockId, order, r.quantity, expiresAt)));
  const failed = held.find((h): h is PromiseRejectedResult => h.status === 'rejected');
  if (failed) {
    // A line refused for want of stock holds nothing of this order (holdUnits looked); any other line may.
    const mayHold = lines.filter((_, i) => !isOutOfStock(held[i]!));
    if (mayHold.length)
      await releaseReservations(
        orderId,
        mayHold.map((r) => r.stockId),
      ).catch(() => undefined);
    throw failed.reason;
  }
  try {
    await recordHolds(orderId, lines, expiresAt);
  } catch (err) {
    // Best effort: if the database is away, the periodic job gives these holds back once they expire.
    await releaseReservations(
      orderId,
      lines.map((r) => r.stockId),
    ).catch(() => undefined);
    throw err;
  }
}

/** Writes the reservations of lines just held; where the order had one already, mends it. */
async function recordHolds(orderId: Types.ObjectId, lines: StockRequest[], expiresAt: Date): Promise<void> {
  const now = new Date();
  const docs: Reservation[] = lines.map((r) => ({
    _id: reservationId(orderId, r.stockId),
    order: orderId,
    stock: r.stockId,
    quantity: r.quantity,
    state: 'held',
    expiresAt,
    createdAt: now,
    updatedAt: now,
  }));
  const clashes = await reservations()
    .insertMany(docs, { ordered: false })
    .then(() => [] as Reservation[])
    .catch((err: { code?: number; writeErrors?: unknown }) => {
      if (!isDuplicateOnly(err)) throw err;
      const failedIds = new Set(writeErrorsOf(err).map((w) => w.index));
      return docs.filter((_, i) => failedIds.has(i));
    });
  // The order had reservations already: a retry, or a cancelled order taking its stock again.
  for (const doc of clashes) await reconcileReservation(String(orderId), doc);
}

const isOutOfStock = (h: PromiseSettledResult<unknown>) =>
  h.status === 'rejected' && (h.reason as { code?: string }).code === 'out_of_stock';

type WriteError = { code?: number; index: number };
const writeErrorsOf = (err: { writeErrors?: unknown }): WriteError[] => {
  const w = err.writeErrors;
  return Array.isArray(w) ? (w as WriteError[]) : w ? [w as WriteError] : [];
};
const isDuplicateOnly = (err: { code?: number; writeErrors?: unknown }) => {
  const w = writeErrorsOf(err);
  return w.length ? w.every((e) => e.code === 11000) : err.code === 11000;
};

/** A line just held whose reservation existed: held again, or (already sold) the new hold given back. */
async function reconcileReservation(order: string, doc: Reservation): Promise<void> {
  const existing = await ReservationModel.findById(doc._id, { state: 1 }).lean();
  if (existing?.state === 'sold') {
    await releaseHold(doc.stock, order);
    return;
  }
  await reservations().updateOne(
    { _id: doc._id, state: { $ne: 'sold' as const } },
    { $set: { state: 'held', quantity: doc.quantity, expiresAt: doc.expiresAt, updatedAt: doc.updatedAt! } },
  );
}

/**
 * The items an order has (or had) stock of. With the stock ids (from the
 * order's lines) nothing is read; without (an order that was never
 * written) the stock levels' holds and the reservations are scanned.
 */
async function itemsOf(orderId: Types.ObjectId, stockIds?: string[]): Promise<string[]> {
  if (stockIds) return [...new Set(stockIds)];
  const [holding, recorded] = await Promise.all([
    itemsHeldFor(String(orderId)),
    ReservationModel.find({ order: orderId }, { stock: 1 }).lean(),
  ]);
  return [...new Set([...holding, ...recorded.map((r) => r.stock)])];
}

/**
 * Gives back every unit still held for the order and returns how many.
 * Idempotent: what was given back or sold already is left alone, and a
 * reservation left "held" by a crash after its units went back is marked.
 */
export async function releaseReservations(orderId: Types.ObjectId, stockIds?: string[]): Promise<number> {
  const order = String(orderId);
  const items = await itemsOf(orderId, stockIds);
  const outcomes = await Promise.all(items.map(async (stock) => ({ stock, ...(await releaseHold(stock, order)) })));
  const gone = outcomes.filter((o) => o.outcome !== 'sold');
  if (gone.length) {
    const now = new Date();
    await reservations().bulkWrite(
      gone.map((o) => ({
        updateOne: {
          filter: { _id: reservationId(orderId, o.stock), state: 'held' as const },
          update: { $set: { state: 'released' as const, updatedAt: now } },
        },
      })),
      { ordered: false },
    );
  }
  return outcomes.reduce((n, o) => n + o.units, 0);
}

/** Records a sale in the reservation (written here if the hold's own was lost), then drops the hold. */
async function finishSale(orderId: Types.ObjectId, stock: string, hold: StockHold): Promise<void> {
  const now = new Date();
  await reservations().updateOne(
    { _id: reservationId(orderId, stock) },
    {
      $set: { state: 'sold', updatedAt: now },
      $setOnInsert: { order: orderId, stock, quantity: hold.q, expiresAt: hold.exp, createdAt: now },
    },
    { upsert: true },
  );
  await dropSoldHold(stock, String(orderId));
}

/**
 * Turns the order's held units into sold ones. Idempotent. `sold` counts
 * the items sold by this call; `missing` those whose units had been given
 * back (the order was paid after its hold ended).
 */
export async function sellReservations(orderId: Types.ObjectId, stockIds?: string[]): Promise<{ sold: number; missing: number }> {
  const order = String(orderId);
  const items = await itemsOf(orderId, stockIds);
  let sold = 0;
  let missing = 0;
  for (const stock of items) {
    const hold = await markHoldSold(stock, order);
    if (hold) {
      await finishSale(orderId, stock, hold);
      sold++;
      continue;
    }
    // No hold: its reservation says whether it was sold before or given back.
    const r = await ReservationModel.findById(reservationId(orderId, stock), { state: 1 }).lean();
    if (r?.state === 'released' || r?.state === 'held') missing++;
    if (r?.state === 'held')
      await reservations().updateOne({ _id: r._id, state: 'held' }, { $set: { state: 'released', updatedAt: new Date() } });
  }
  return { sold, missing };
}

/**
 * Orders holding stock past the hold's expiry, read from the holds in the
 * stock levels (the truth, so a hold whose reservation was never written
 * is found too). A scan of the stock levels: for the periodic job only.
 */
export async function ordersWithStaleReservations(now = new Date()): Promise<Types.ObjectId[]> {
  const stale = (await allHolds()).filter((h) => !h.sold && h.exp < now && Types.ObjectId.isValid(h.orderId));
  return [...new Set(stale.map((h) => h.orderId))].map((id) => new Types.ObjectId(id));
}

/** A sale marked in the stock level but not yet recorded is finished after this long. */
const SALE_GRACE_MS = 60_000;

/**
 * Finishes sales that a crash interrupted between marking the hold sold and
 * recording it: the next payment call for the order would too, but it may
 * never come (the order was marked paid). Returns how many were finished.
 */
export async function finishInterruptedSales(now = new Date()): Promise<number> {
  const stuck = (await allHolds()).filter(
    (h) => h.sold && h.sold.getTime() < now.getTime() - SALE_GRACE_MS && Types.ObjectId.isValid(h.orderId),
  );
  for (const h of stuck) await finishSale(new Types.ObjectId(h.orderId), h.stockId, h);
  return stuck.length;
}

export const interruptedSalesJob: Job = { name: 'interrupted-sales', everyMs: 10 * 60_000, run: () => finishInterruptedSales() };
