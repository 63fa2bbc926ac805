import type { Types } from 'mongoose';
import { StockLevelModel } from '../catalog/stock.model';
import { rawCollection, trusted } from '../platform/db';
import { conflict } from '../platform/errors';
import { withLock } from '../platform/lock';
import { ReservationModel, reservationId, type Reservation } from './reservation.model';
import { noteStockLevel } from './stock-signal';

/**
 * Stock reservation, correct on FerretDB as well as MongoDB.
 *
 * Why not a guarded `$inc` (`updateOne({ _id, onHand: {$gte: q} }, {$inc: {onHand: -q}})`)?
 * On MongoDB that is atomic, but FerretDB 1.24 applies it as read, change in
 * memory, write back by `_id`, outside any transaction: 50 buyers of the last
 * 10 units would all read 10 and all succeed. So each stock item has a lock
 * (a unique insert of `stock:<stockId>`, atomic on both engines) held around
 * read → check → write of its StockLevel and the insert of the Reservation.
 * Only one lock is held at a time (lines are taken one by one and rolled
 * back on failure), so two checkouts can never deadlock. The lock expires
 * after 10 s so a crashed process blocks an item only briefly; the work
 * under it takes milliseconds.
 *
 * Every write filters on `_id` alone (the only indexed filter on FerretDB's
 * SQLite backend); the checks are made on what was read under the lock.
 *
 * Order of writes: stock is decremented before the reservation is written,
 * and a reservation is marked released before its units go back. A crash
 * between the two writes can only lose units (shown as sold out), never
 * sell a unit twice.
 */
const STOCK_LOCK = { ttlMs: 10_000, waitMs: 8_000 };
const stockLockKey = (stockId: string) => `stock:${stockId}`;

export interface StockRequest {
  stockId: string;
  quantity: number;
}

/** Thrown when a line cannot be held; `details.stockId` names it. */
export const outOfStock = (stockId: string, available: number) => {
  const e = conflict('out_of_stock', 'Not enough stock');
  (e as { details?: Record<string, unknown> }).details = { stockId, available };
  return e;
};

async function holdOne(orderId: Types.ObjectId, req: StockRequest, expiresAt: Date): Promise<void> {
  await withLock(
    stockLockKey(req.stockId),
    async () => {
      const level = await StockLevelModel.findById(req.stockId, { onHand: 1 }).lean();
      const onHand = level?.onHand ?? 0;
      if (onHand < req.quantity) throw outOfStock(req.stockId, onHand);
      // Filter on `_id` alone: any other field in the filter makes FerretDB's SQLite backend scan the collection.
      await StockLevelModel.updateOne({ _id: req.stockId }, { $set: { onHand: onHand - req.quantity } });
      noteStockLevel(req.stockId, onHand - req.quantity);
      const at = new Date();
      await rawCollection(ReservationModel).insertOne({ _id: reservationId(orderId, req.stockId), order: orderId, stock: req.stockId, quantity: req.quantity, state: 'held', expiresAt, createdAt: at, updatedAt: at });
    },
    STOCK_LOCK,
  );
}

/**
 * Holds every requested line for `orderId`, or none: when one line cannot
 * be held, the lines already held are given back and `out_of_stock` thrown.
 */
export async function reserveStock(orderId: Types.ObjectId, requests: StockRequest[], expiresAt: Date): Promise<void> {
  const sorted = [...requests].sort((a, b) => a.stockId.localeCompare(b.stockId));
  const done: StockRequest[] = [];
  try {
    for (const r of sorted) {
      await holdOne(orderId, r, expiresAt);
      done.push(r);
    }
  } catch (err) {
    await releaseReservations(orderId, done.map((r) => r.stockId)).catch(() => undefined);
    throw err;
  }
}

/**
 * The order's reservations. With the stock ids (from the order's lines)
 * each is read by `_id`, the only indexed read on FerretDB's SQLite
 * backend; without them (an order that was never written) by `order`.
 */
async function reservationsFor(orderId: Types.ObjectId, stockIds?: string[]): Promise<Reservation[]> {
  if (!stockIds) return ReservationModel.find({ order: orderId }).lean<Reservation[]>();
  const found = await Promise.all([...new Set(stockIds)].map((s) => ReservationModel.findById(reservationId(orderId, s)).lean<Reservation>()));
  return found.filter((r): r is Reservation => !!r);
}

/**
 * Gives back every unit still held for the order. Idempotent: a reservation
 * already released or sold is left alone. Callers hold the order's lock.
 */
export async function releaseReservations(orderId: Types.ObjectId, stockIds?: string[]): Promise<number> {
  // Read once: every change of a reservation's state happens under its order's lock, which the caller holds.
  const held = (await reservationsFor(orderId, stockIds)).filter((r) => r.state === 'held');
  let units = 0;
  for (const r of held) {
    await withLock(
      stockLockKey(r.stock),
      async () => {
        await ReservationModel.updateOne({ _id: r._id }, { $set: { state: 'released' } });
        const level = await StockLevelModel.findById(r.stock, { onHand: 1 }).lean();
        if (level) {
          await StockLevelModel.updateOne({ _id: r.stock }, { $set: { onHand: level.onHand + r.quantity } });
          noteStockLevel(r.stock, level.onHand + r.quantity);
        }
        units += r.quantity;
      },
      STOCK_LOCK,
    );
  }
  return units;
}

/** Turns the order's held units into sold ones. Callers hold the order's lock. */
export async function sellReservations(orderId: Types.ObjectId, stockIds?: string[]): Promise<{ sold: number; missing: number }> {
  const all = await reservationsFor(orderId, stockIds);
  const held = all.filter((r) => r.state === 'held');
  for (const r of held) await ReservationModel.updateOne({ _id: r._id }, { $set: { state: 'sold' } });
  return { sold: held.length, missing: all.filter((r) => r.state === 'released').length };
}

/** Orders with held reservations past their expiry (for the sweeper; a scan, once a minute). */
export async function ordersWithStaleReservations(now = new Date()): Promise<Types.ObjectId[]> {
  const stale = await ReservationModel.find({ state: 'held', expiresAt: trusted({ $lt: now }) }, { order: 1 }).lean();
  const seen = new Map(stale.map((r) => [String(r.order), r.order]));
  return [...seen.values()];
}
