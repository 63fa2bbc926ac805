import { createHash, randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { trusted } from '../platform/db';
import { CoopShareModel, type CoopShare } from './coop-share.model';
import { OrderKeyModel, OrderModel, type Order } from './order.model';
import { ReservationModel } from './reservation.model';
import type { ShareStatus } from './states';

/**
 * Reads of orders and co-op shares. Other features (payouts, the co-op
 * workspace, admin) read orders only through these, from orders' index.ts:
 * the models stay private to orders.
 */

/**
 * A guest's link token: 32 random bytes (256 bits), base64url. The lookup
 * key is its sha256 (order_keys `token:<hash>`); the order keeps the token
 * itself so the paid-order mail can carry the link.
 */
export function newViewToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashViewToken(token) };
}
export const hashViewToken = (token: string) => createHash('sha256').update(token).digest('hex');

export const asId = (id: string | Types.ObjectId): Types.ObjectId | null =>
  id instanceof Types.ObjectId ? id : Types.ObjectId.isValid(id) && /^[a-f\d]{24}$/i.test(id) ? new Types.ObjectId(id) : null;

/** One order by id, or null. */
export async function getOrder(orderId: string | Types.ObjectId): Promise<Order | null> {
  const id = asId(orderId);
  return id ? OrderModel.findById(id).lean<Order>() : null;
}

/** The co-op shares of an order (by id, or the order itself when the caller has read it already). */
export async function sharesForOrder(orderOrId: string | Types.ObjectId | Pick<Order, '_id' | 'coops'>): Promise<CoopShare[]> {
  let order: Pick<Order, '_id' | 'coops'> | null;
  if (typeof orderOrId === 'string' || orderOrId instanceof Types.ObjectId) {
    const id = asId(orderOrId);
    order = id ? await OrderModel.findById(id, { coops: 1 }).lean() : null;
  } else {
    order = orderOrId;
  }
  if (!order) return [];
  const id = order._id;
  // Each share is addressed by `_id` ("<orderId>:<coopId>"): indexed reads on every engine.
  const shares = await Promise.all(order.coops.map((c) => CoopShareModel.findById(`${String(id)}:${String(c.coop)}`).lean<CoopShare>()));
  return shares.filter((s): s is CoopShare => !!s);
}

/** One co-op share by its id ("<orderId>:<coopId>"). */
export async function getShare(shareId: string): Promise<CoopShare | null> {
  return CoopShareModel.findById(shareId).lean<CoopShare>();
}

/** The order behind a guest link, or null. */
export async function orderByViewToken(token: string): Promise<Order | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const key = await OrderKeyModel.findById(`token:${hashViewToken(token)}`).lean();
  return key ? getOrder(key.order) : null;
}

/**
 * A signed-in buyer's orders, newest first (the ones they started paying for).
 * The filter is not on `_id`, so it may read the whole collection
 * (platform/db.ts); a per-user list document would avoid that if order
 * volume made it matter.
 */
export async function ordersForUser(userId: string, limit = 50): Promise<Order[]> {
  const id = asId(userId);
  if (!id) return [];
  return OrderModel.find({ 'buyer.user': id }, { number: 1, status: 1, totalCents: 1, createdAt: 1, coops: 1, payment: 1 })
    .sort({ createdAt: -1 })
    .limit(limit)
    .lean<Order[]>();
}

/** Orders paid after they were cancelled, newest first, for the admin (it may scan the collection; a short, rare list). */
export async function latePaidOrders(limit = 200): Promise<Order[]> {
  return OrderModel.find(
    { 'latePayment.state': trusted({ $exists: true }) },
    { number: 1, status: 1, totalCents: 1, buyer: 1, latePayment: 1, payment: 1, createdAt: 1 },
  )
    .sort({ 'latePayment.at': -1 })
    .limit(limit)
    .lean<Order[]>();
}

/** Units held or sold for an order, by stock item (tests and support). */
export async function reservationsOf(orderId: string | Types.ObjectId) {
  const id = asId(orderId);
  return id ? ReservationModel.find({ order: id }).lean() : [];
}

/** Which co-op shares `findShares` reads. */
export interface ShareQuery {
  coopId?: string | Types.ObjectId;
  /** Leave out shares in these states (e.g. never paid). */
  statusNotIn?: ShareStatus[];
  /** Only shares in these states. */
  statusIn?: ShareStatus[];
  /** Placed at or after `from` and before `to`. */
  from?: Date;
  to?: Date;
}

/**
 * Co-op shares, newest first, by co-op, state and when they were placed
 * (a co-op's money page, the payouts dashboard, balances).
 */
export async function findShares(query: ShareQuery, limit?: number, fields?: (keyof CoopShare)[]): Promise<CoopShare[]> {
  const q: Record<string, unknown> = {};
  if (query.coopId) q.coop = new Types.ObjectId(String(query.coopId));
  if (query.statusNotIn || query.statusIn)
    q.status = trusted({ ...(query.statusNotIn ? { $nin: query.statusNotIn } : {}), ...(query.statusIn ? { $in: query.statusIn } : {}) });
  const created: Record<string, Date> = {};
  if (query.from) created.$gte = query.from;
  if (query.to) created.$lt = query.to;
  if (Object.keys(created).length) q.createdAt = trusted(created);
  // Only the fields asked for, when named: a busy co-op's shares carry every line of every order.
  const found = CoopShareModel.find(q, fields ? Object.fromEntries(fields.map((f) => [f, 1])) : undefined).sort({ createdAt: -1 });
  return (limit ? found.limit(limit) : found).lean<CoopShare[]>();
}

/** The order a charge or PaymentIntent paid for, or null (disputes are rare: a scan is acceptable). */
export async function orderByPayment(payment: { chargeId?: string; paymentIntentId?: string }): Promise<Order | null> {
  const or: Record<string, string>[] = [];
  if (payment.chargeId) or.push({ 'payment.chargeId': payment.chargeId });
  if (payment.paymentIntentId) or.push({ 'payment.paymentIntentId': payment.paymentIntentId });
  if (!or.length) return null;
  return OrderModel.findOne(trusted({ $or: or }) as Record<string, unknown>).lean<Order>();
}

/** The most recently paid orders (of one co-op, when given), newest first. */
export async function recentPaidOrders(limit = 50, coopId?: string): Promise<{ id: string; number: string; paidAt: Date }[]> {
  const q: Record<string, unknown> = { 'payment.paidAt': trusted({ $ne: null }) };
  if (coopId) q['coops.coop'] = new Types.ObjectId(coopId);
  const orders = await OrderModel.find(q, { number: 1, payment: 1 }).sort({ 'payment.paidAt': -1 }).limit(limit).lean();
  return orders.map((o) => ({ id: String(o._id), number: o.number, paidAt: o.payment.paidAt! }));
}

/** Orders paid at or after `since` (the admin overview's weeks). */
export async function paidOrdersSince(since: Date): Promise<Pick<Order, '_id' | 'totalCents' | 'payment'>[]> {
  return OrderModel.find({ 'payment.paidAt': trusted({ $gte: since }) }, { totalCents: 1, payment: 1 }).lean();
}

/** The co-op shares of these orders. */
export async function sharesOfOrders(orderIds: readonly (string | Types.ObjectId)[]): Promise<CoopShare[]> {
  const ids = orderIds.map(asId).filter((x): x is Types.ObjectId => !!x);
  return ids.length ? CoopShareModel.find({ order: trusted({ $in: ids }) }).lean<CoopShare[]>() : [];
}

/** These orders, by id (unknown ids are left out); each is one lookup by `_id`. */
export async function ordersByIds(orderIds: readonly (string | Types.ObjectId)[]): Promise<Order[]> {
  const found = await Promise.all([...new Set(orderIds.map(String))].map((id) => getOrder(id)));
  return found.filter((o): o is Order => !!o);
}
