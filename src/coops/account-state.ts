import type { EventBus } from '../platform/events';
import type { ConnectedAccountState } from '../payments';
import { CoopModel } from './coop.model';

declare module '../platform/events' {
  interface DomainEvents {
    /** A co-op's connected account can receive transfers (now, or still): payouts sends what waited for it. */
    'coop.account_ready': { coopId: string };
  }
}

/**
 * Writes the payout state of a co-op's connected account. Never moves
 * backwards: a state read at `at` older than the one we have is ignored
 * (events arrive out of order). When the account can receive transfers,
 * `coop.account_ready` tells payouts (awaited: a failure there fails the
 * Stripe event, which comes again).
 */
export async function applyAccountState(
  events: EventBus,
  state: ConnectedAccountState,
  at = new Date(),
): Promise<{ coopId: string | null; applied: boolean }> {
  const coop = await CoopModel.findOne({ stripeAccountId: state.id }, { _id: 1, payouts: 1 }).lean();
  if (!coop) return { coopId: null, applied: false };
  const coopId = String(coop._id);
  const last = coop.payouts?.updatedAt ? new Date(coop.payouts.updatedAt).getTime() : 0;
  if (last > at.getTime()) return { coopId, applied: false };
  const p = coop.payouts;
  const same =
    p &&
    p.transfersActive === state.transfersActive &&
    p.payoutsEnabled === state.payoutsEnabled &&
    p.detailsSubmitted === state.detailsSubmitted &&
    (p.disabledReason ?? '') === state.disabledReason &&
    (p.currentlyDue ?? []).join() === state.currentlyDue.join() &&
    (p.pastDue ?? []).join() === state.pastDue.join();
  // Nothing new: no write (on some engines every write rewrites the whole co-op document).
  if (same) {
    if (state.transfersActive) await events.emit('coop.account_ready', { coopId });
    return { coopId, applied: false };
  }
  await CoopModel.updateOne(
    { _id: coop._id },
    {
      $set: {
        'payouts.transfersActive': state.transfersActive,
        'payouts.payoutsEnabled': state.payoutsEnabled,
        'payouts.detailsSubmitted': state.detailsSubmitted,
        'payouts.currentlyDue': state.currentlyDue,
        'payouts.pastDue': state.pastDue,
        'payouts.disabledReason': state.disabledReason,
        'payouts.updatedAt': at,
      },
    },
  );
  if (state.transfersActive) await events.emit('coop.account_ready', { coopId });
  return { coopId, applied: true };
}

/** `capability.updated` for `transfers`: only that flag changes, under the same never-backwards rule. */
async function applyTransfersCapability(events: EventBus, accountId: string, active: boolean, at: Date): Promise<void> {
  const coop = await CoopModel.findOne({ stripeAccountId: accountId }, { _id: 1, payouts: 1 }).lean();
  if (!coop) return;
  const last = coop.payouts?.updatedAt ? new Date(coop.payouts.updatedAt).getTime() : 0;
  if (last > at.getTime()) return;
  await CoopModel.updateOne({ _id: coop._id }, { $set: { 'payouts.transfersActive': active, 'payouts.updatedAt': at } });
  if (active) await events.emit('coop.account_ready', { coopId: String(coop._id) });
}

/** The co-ops feature listens to what payments hears of connected accounts. */
export function wireCoopAccounts(events: EventBus): void {
  events.on('payment.account_updated', async ({ state, at }) => void (await applyAccountState(events, state, at)));
  events.on('payment.capability_updated', async ({ accountId, capability, active, at }) => {
    if (capability === 'transfers') await applyTransfersCapability(events, accountId, active, at);
  });
}
