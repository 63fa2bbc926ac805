import { notFound } from '../platform/errors';
import { findCoop, payoutsStateOf, roleAtLeast, type MemberRole } from '../coops';
import { goodsAtAGlance } from '../catalog';
import { findShares, type ShareStatus } from '../orders';
import { nextPayout } from '../payouts';
import { SOLD } from './reports.service';

/** The co-op as the workspace pages show it (never another co-op: the guard set `coopId`). */
export async function workspaceCoop(coopId: string) {
  const coop = await findCoop(coopId);
  if (!coop) throw notFound('coop_not_found', 'No such co-op workspace');
  return { ...coop, payoutsState: payoutsStateOf(coop) };
}

/** Paid shares not shipped yet: the parcels to prepare and send. */
const TO_SHIP: ShareStatus[] = ['paid', 'preparing'];
/** How many of the orders to ship the home lists (the oldest first: they have waited longest). */
const FIRST_FEW = 3;
const monthStart = (now: Date, back: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));

/**
 * The day's work for the co-op home, each block one batched read: the co-op
 * itself and the orders to ship (everyone who fulfils sees them), and for
 * those who see the money (managers and the owner, as the money page's
 * guard says) this month's sales against last month's, the next payout
 * with what blocks it, and the goods on sale, in draft and running low.
 * Shares are read with the few fields shown: a busy co-op's shares carry
 * every line of every order.
 */
export async function homeAtAGlance(coop: { id: string; role: MemberRole }, now = new Date()) {
  const money = roleAtLeast(coop.role, 'manager');
  const thisMonth = monthStart(now, 0);
  const [record, toShip, sold, payout, goods] = await Promise.all([
    workspaceCoop(coop.id),
    findShares({ coopId: coop.id, statusIn: TO_SHIP }, 1000, ['orderNumber', 'createdAt', 'delivery', 'status']),
    money ? findShares({ coopId: coop.id, statusIn: SOLD, from: monthStart(now, 1) }, undefined, ['createdAt', 'subtotalCents']) : null,
    money ? nextPayout(coop.id) : null,
    money ? goodsAtAGlance(coop.id) : null,
  ]);
  const month = (from: Date, to?: Date) => {
    const in_ = (sold ?? []).filter((s) => s.createdAt && new Date(s.createdAt) >= from && (!to || new Date(s.createdAt) < to));
    return { amountCents: in_.reduce((a, s) => a + s.subtotalCents, 0), count: in_.length };
  };
  const blockers: string[] = [];
  if (record.status !== 'approved') blockers.push('notApproved');
  if (record.payoutsState !== 'ready') blockers.push(`account_${record.payoutsState}`);
  if (payout?.heldByAdmin) blockers.push('heldByAdmin');
  if (payout?.failed) blockers.push('failed');
  return {
    coop: record,
    toShip: {
      count: toShip.length,
      first: toShip
        .slice(-FIRST_FEW)
        .reverse()
        .map((s) => ({ id: s._id, orderNumber: s.orderNumber, placedAt: s.createdAt, delivery: s.delivery, status: s.status })),
    },
    sales: money ? { thisMonth: month(thisMonth), lastMonth: month(monthStart(now, 1), thisMonth) } : null,
    payout: payout ? { ...payout, blockers } : null,
    lowStock: goods ? goods.lowStock : null,
    goods: goods ? { published: goods.published, drafts: goods.drafts } : null,
  };
}
