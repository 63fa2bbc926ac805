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

/**
 * Changes of one stock item are grouped. Those that arrive in this process
 * while the item's lock is held wait in `queued` and are applied together
 * by the next holder: one read of the level, one write of the new level,
 * one write each for the reservations given back and taken. Buyers of a
 * popular item (a sale, the last units) thus share a lock, a read and a
 * write instead of queueing for one each. With no contention a group is
 * one change, as before.
 *
 * In a group, releases come first (their units can serve the holds after
 * them), then holds in the order they arrived. Writes keep the rule that a
 * crash may lose units but never sells one twice: reservations given back
 * are marked released before the level goes up; the level goes down
 * before the new reservations are written.
 */
type Change = { kind: 'hold'; orderId: Types.ObjectId; quantity: number; expiresAt: Date } | { kind: 'release'; reservation: Reservation };
type StockChange = Change & { done: (err?: unknown) => void; refusal?: Error };

const queued = new Map<string, StockChange[]>();

function changeStock(stockId: string, change: Change): Promise<void> {
  return new Promise((resolve, reject) => {
    const list = queued.get(stockId);
    const entry: StockChange = { ...change, done: (err?: unknown) => (err ? reject(err) : resolve()) };
    if (list) return void list.push(entry);
    queued.set(stockId, [entry]);
    void applyQueued(stockId);
  });
}

/** Applies the item's queued changes, group after group, until none are left. */
async function applyQueued(stockId: string): Promise<void> {
  const list = queued.get(stockId)!;
  while (list.length) {
    let group: StockChange[] = [];
    try {
      // The group is taken once the lock is held: changes that came while waiting for it join.
      const { written } = await withLock(stockLockKey(stockId), () => applyGroup(stockId, (group = list.splice(0))), STOCK_LOCK);
      await written;
      for (const c of group) c.done(c.refusal);
    } catch (err) {
      if (!group.length) group = list.splice(0); // the lock was never had: what waited for it fails
      for (const c of group) c.done(err);
    }
  }
  queued.delete(stockId);
}

/**
 * Under the item's lock: the level read once, the changes decided in order
 * (a refused hold gets its `refusal`), then written. The new reservations
 * are written while the lock is given back (`written`): only their own
 * orders read them, and those wait for this group to finish.
 */
async function applyGroup(stockId: string, group: StockChange[]): Promise<{ written: Promise<void> }> {
  const now = new Date();
  const releases = group.filter((c) => c.kind === 'release');
  const holds = group.filter((c) => c.kind === 'hold');
  if (releases.length) {
    await rawCollection(ReservationModel).bulkWrite(
      releases.map((c) => ({ updateOne: { filter: { _id: c.reservation._id }, update: { $set: { state: 'released' as const, updatedAt: now } } } })),
    );
  }
  const level = await rawCollection(StockLevelModel).findOne({ _id: stockId }, { projection: { onHand: 1 } });
  // A level that is gone (the item was deleted) takes nothing back and gives nothing out.
  let onHand = level ? level.onHand + releases.reduce((n, c) => n + c.reservation.quantity, 0) : 0;
  const taken: Extract<StockChange, { kind: 'hold' }>[] = [];
  for (const c of holds) {
    if (c.quantity <= onHand) {
      onHand -= c.quantity;
      taken.push(c);
    } else {
      c.refusal = outOfStock(stockId, onHand);
    }
  }
  if (level && onHand !== level.onHand) {
    // Filter on `_id` alone: any other field in the filter makes FerretDB's SQLite backend scan the collection.
    await rawCollection(StockLevelModel).updateOne({ _id: stockId }, { $set: { onHand, updatedAt: now } });
    noteStockLevel(stockId, onHand);
  }
  if (!taken.length) return { written: Promise.resolve() };
  const written = rawCollection(ReservationModel)
    .insertMany(taken.map((c) => ({ _id: reservationId(c.orderId, stockId), order: c.orderId, stock: stockId, quantity: c.quantity, state: 'held' as const, expiresAt: c.expiresAt, createdAt: now, updatedAt: now })))
    .then(() => undefined);
  written.catch(() => undefined); // awaited once the lock is given back; until then a failure must not count as unhandled
  return { written };
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
      await changeStock(r.stockId, { kind: 'hold', orderId, quantity: r.quantity, expiresAt });
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
  await Promise.all(held.map((r) => changeStock(r.stock, { kind: 'release', reservation: r })));
  const units = held.reduce((n, r) => n + r.quantity, 0);
  return units;
}

/** Turns the order's held units into sold ones. Callers hold the order's lock. */
export async function sellReservations(orderId: Types.ObjectId, stockIds?: string[]): Promise<{ sold: number; missing: number }> {
  const all = await reservationsFor(orderId, stockIds);
  const held = all.filter((r) => r.state === 'held');
  for (const r of held) await ReservationModel.updateOne({ _id: r._id }, { $set: { state: 'sold' } });
  return { sold: held.length, missing: all.filter((r) => r.state === 'released').length };
}

/** Orders with held reservations past their expiry (for the sweeper: a scan on FerretDB, every 10 minutes). */
export async function ordersWithStaleReservations(now = new Date()): Promise<Types.ObjectId[]> {
  const stale = await ReservationModel.find({ state: 'held', expiresAt: trusted({ $lt: now }) }, { order: 1 }).lean();
  const seen = new Map(stale.map((r) => [String(r.order), r.order]));
  return [...seen.values()];
}
