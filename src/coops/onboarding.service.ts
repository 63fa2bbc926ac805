import { Types } from 'mongoose';
import { AppError, conflict, notFound } from '../platform/errors';
import type { EventBus } from '../platform/events';
import type { ConnectedAccountState, PaymentGateway } from '../payments';
import { CoopModel } from './coop.model';

/** What the workspace says about the payouts connection. */
export const PAYOUTS_STATES = ['not_connected', 'ready', 'information_due', 'pending_verification'] as const;
export type PayoutsState = (typeof PAYOUTS_STATES)[number];

export function payoutsStateOf(coop: {
  stripeAccountId?: string | null;
  payouts?: { transfersActive?: boolean | null; currentlyDue?: string[] | null; pastDue?: string[] | null } | null;
}): PayoutsState {
  if (!coop.stripeAccountId) return 'not_connected';
  if (coop.payouts?.transfersActive) return 'ready';
  if (coop.payouts?.currentlyDue?.length || coop.payouts?.pastDue?.length) return 'information_due';
  return 'pending_verification';
}

export interface OnboardingUrls {
  refreshUrl: string;
  returnUrl: string;
}

async function approvedCoop(coopId: string) {
  const coop = await CoopModel.findById(new Types.ObjectId(coopId), {
    status: 1,
    stripeAccountId: 1,
    contact: 1,
    slug: 1,
    payouts: 1,
  }).lean();
  if (!coop) throw notFound('coop_not_found', 'No such co-op');
  if (coop.status !== 'approved') throw conflict('coop_not_approved', 'The co-op is not approved yet');
  return coop;
}

/** Stores what we read of the connected account; the webhook handler (payments/) does the same on account.updated. */
export async function saveAccountState(coopId: string, state: ConnectedAccountState): Promise<void> {
  await CoopModel.updateOne(
    { _id: new Types.ObjectId(coopId) },
    {
      $set: {
        stripeAccountId: state.id,
        payouts: {
          transfersActive: state.transfersActive,
          payoutsEnabled: state.payoutsEnabled,
          detailsSubmitted: state.detailsSubmitted,
          currentlyDue: state.currentlyDue,
          pastDue: state.pastDue,
          disabledReason: state.disabledReason,
          updatedAt: new Date(),
        },
      },
    },
  );
}

/**
 * The owner starts (or resumes) the payouts connection: creates the co-op's
 * connected account once (idempotency key `account:<coopId>`, so a double
 * click or two processes get the same account) and returns a fresh hosted
 * onboarding link. Only for approved co-ops; the route checks the owner role.
 */
export async function startOnboarding(
  gateway: PaymentGateway,
  coopId: string,
  fallbackEmail: string,
  urls: OnboardingUrls,
): Promise<string> {
  const coop = await approvedCoop(coopId);
  let accountId = coop.stripeAccountId;
  if (!accountId) {
    const account = await gateway.createConnectedAccount({
      coopId,
      email: coop.contact?.email || fallbackEmail,
      idempotencyKey: `account:${coopId}`,
    });
    await saveAccountState(coopId, account);
    accountId = account.id;
  }
  const link = await gateway.createOnboardingLink({ accountId, ...urls });
  return link.url;
}

/**
 * Links are single-use and short-lived: Stripe sends the owner to the
 * refresh URL when one is used or expired, and we answer with a new one.
 */
export async function refreshOnboardingLink(gateway: PaymentGateway, coopId: string, urls: OnboardingUrls): Promise<string> {
  const coop = await approvedCoop(coopId);
  if (!coop.stripeAccountId) throw new AppError('payouts_not_started', 'Connect payouts first', 409);
  return (await gateway.createOnboardingLink({ accountId: coop.stripeAccountId, ...urls })).url;
}

/**
 * Reaching the return URL proves nothing: read the account and store its
 * state. When it can receive transfers, the ones waiting for it are sent
 * (`coop.account_ready`, which payouts hears; the webhook on account.updated does the same).
 */
export async function syncAccount(gateway: PaymentGateway, events: EventBus, coopId: string): Promise<PayoutsState> {
  const coop = await approvedCoop(coopId);
  if (!coop.stripeAccountId) return 'not_connected';
  const state = await gateway.retrieveConnectedAccount(coop.stripeAccountId);
  await saveAccountState(coopId, state);
  const out = payoutsStateOf({ stripeAccountId: state.id, payouts: state });
  if (out === 'ready' && !coop.payouts?.transfersActive) await events.emit('coop.account_ready', { coopId });
  return out;
}

/** A one-time login link to the connected account's Express dashboard. */
export async function dashboardLink(gateway: PaymentGateway, coopId: string): Promise<string> {
  const coop = await approvedCoop(coopId);
  if (!coop.stripeAccountId) throw new AppError('payouts_not_started', 'Connect payouts first', 409);
  return (await gateway.createDashboardLink(coop.stripeAccountId)).url;
}
