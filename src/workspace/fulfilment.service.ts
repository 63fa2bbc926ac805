import { AppError, notFound } from '../platform/errors';
import { claim, unclaim } from '../platform/claims';
import { sendTemplate, type Mailer } from '../platform/mail';
import type { Logger } from '../platform/logger';
import { findShares, getOrder, getShare, nextShareMoves, transitionShare, type CoopShare, type ShareStatus } from '../orders';
import type { Transfers } from '../payouts';
import { ShipmentModel } from './fulfilment.model';

export const SHARE_ID = /^[a-f0-9]{24}:[a-f0-9]{24}$/;
/** Shares a co-op has to act on; the rest are history. */
const OPEN: ShareStatus[] = ['paid', 'preparing', 'shipped', 'ready_for_pickup'];
const VISIBLE: ShareStatus[] = ['paid', 'preparing', 'shipped', 'delivered', 'ready_for_pickup', 'collected', 'refunded'];

/**
 * The co-op's shares, newest first: the open ones or the done ones. Only
 * shares that were paid for; never another co-op's.
 */
export async function sharesOfCoop(coopId: string, which: 'open' | 'done', limit = 100) {
  const statuses = which === 'open' ? OPEN : VISIBLE.filter((s) => !OPEN.includes(s));
  return findShares({ coopId, statusIn: statuses }, limit);
}

/** A share of this co-op, or not found (another co-op's share does not exist for it). */
async function ownShare(coopId: string, id: string): Promise<CoopShare> {
  if (!SHARE_ID.test(id)) throw notFound('share_not_found', 'No such order for this co-op');
  const share = await getShare(id);
  if (!share || String(share.coop) !== coopId || !VISIBLE.includes(share.status))
    throw notFound('share_not_found', 'No such order for this co-op');
  return share;
}

/**
 * What a co-op needs to fulfil its share: its own lines, where to send
 * them and to whom. Never other co-ops' lines, never payment details.
 */
export async function shareForFulfilment(coopId: string, id: string) {
  const share = await ownShare(coopId, id);
  const [order, shipment] = await Promise.all([getOrder(share.order), ShipmentModel.findById(id).lean()]);
  if (!order) throw notFound('share_not_found', 'No such order for this co-op');
  return {
    id,
    orderNumber: share.orderNumber,
    placedAt: order.createdAt,
    delivery: share.delivery,
    status: share.status,
    history: share.history,
    subtotalCents: share.subtotalCents,
    shippingCents: share.shippingCents,
    commissionCents: share.commissionCents,
    netCents: share.netCents,
    lines: order.lines
      .filter((l) => String(l.coop) === coopId)
      .map((l) => ({
        name: l.name,
        variantLabel: l.variantLabel,
        sku: l.sku,
        quantity: l.quantity,
        unitCents: l.unitCents,
        lineCents: l.lineCents,
      })),
    address: order.address,
    buyerEmail: order.buyer.email,
    shipment: shipment ? { carrier: shipment.carrier, trackingNumber: shipment.trackingNumber } : null,
    nextMoves: nextShareMoves(share.status, share.delivery),
  };
}

export interface FulfilmentDeps {
  mailer: Mailer;
  logger?: Logger;
  /** Payouts' transfers (from the composition): a share that moved may free its transfer. */
  transfers: Pick<Transfers, 'onShareFulfilmentChanged'>;
}

/**
 * Moves the co-op's share on (preparing, shipped, delivered, ready for
 * pickup, collected) through the orders feature's `transitionShare`, which
 * refuses illegal moves (`illegal_transition`, 409). The route checked the
 * member's role; the share must be this co-op's. Submitting the step the
 * share is already at (a double click) is a no-op: `changed: false`.
 * The buyer gets one email per step: the mail is sent by whoever claims
 * `mail:<shareId>:<status>` first (a unique insert). Then the payouts
 * feature re-checks the transfer's hold.
 */
export async function advanceShare(
  deps: FulfilmentDeps,
  input: { coopId: string; shareId: string; to: ShareStatus; by: string; carrier?: string; trackingNumber?: string },
): Promise<{ changed: boolean }> {
  const share = await ownShare(input.coopId, input.shareId);
  if (input.to === 'shipped' && !input.carrier) throw new AppError('carrier_required', 'Say which carrier takes the parcel', 422);
  if (share.status === input.to) return { changed: false };
  try {
    await transitionShare(input.shareId, input.to, { coopId: input.coopId, by: input.by });
  } catch (err) {
    // Two submits at once: the second finds the share already moved.
    const now = await getShare(input.shareId);
    if (now?.status === input.to && (err as AppError).code === 'illegal_transition') return { changed: false };
    throw err;
  }
  if (input.to === 'shipped') {
    await ShipmentModel.updateOne(
      { _id: input.shareId },
      { $set: { carrier: input.carrier ?? '', trackingNumber: input.trackingNumber ?? '', at: new Date() } },
      { upsert: true },
    );
  }
  await notifyBuyer(deps, input.shareId, input.to);
  try {
    await deps.transfers.onShareFulfilmentChanged(input.shareId, input.to);
  } catch (err) {
    // The transfer is re-checked by the `transfers-due` job too; fulfilment must not fail because of it.
    deps.logger?.warn({ err, shareId: input.shareId }, 'transfer hold check failed after a fulfilment change');
  }
  return { changed: true };
}

async function notifyBuyer(deps: FulfilmentDeps, shareId: string, status: ShareStatus): Promise<void> {
  const key = `mail:${shareId}:${status}`;
  if (!(await claim(key))) return;
  try {
    const share = (await getShare(shareId))!;
    const [order, shipment] = await Promise.all([getOrder(share.order), ShipmentModel.findById(shareId).lean()]);
    if (!order) return;
    await sendTemplate(deps.mailer, {
      to: order.buyer.email,
      locale: order.buyer.locale,
      template: 'workspace/fulfilment',
      subjectKey: `workspace.emails.subject.${status}`,
      data: {
        status,
        orderNumber: order.number,
        coopName: share.coopName,
        lines: order.lines.filter((l) => String(l.coop) === String(share.coop)),
        carrier: shipment?.carrier ?? '',
        trackingNumber: shipment?.trackingNumber ?? '',
      },
    });
  } catch (err) {
    // Let a later attempt send it: the claim is given back.
    await unclaim(key);
    deps.logger?.error({ err, shareId, status }, 'fulfilment email failed');
  }
}
