/**
 * What other features may use from coops: the co-op register, members and
 * their roles, applications and the Stripe onboarding of a co-op. The
 * models stay private; `wireCoops` is called once by createApp.
 */
import type { EventBus } from '../platform/events';
import type { Job } from '../platform/jobs';
import { invitationsJob } from './members.service';
import { wireMemberships } from './memberships';
import { wireCoopAccounts } from './account-state';

export {
  findCoop,
  findCoops,
  approvedCoops,
  coopNames,
  coopNamesOf,
  coopExists,
  listCoopRows,
  getCoopRow,
  pendingCoopCount,
  changeCoopStatus,
  setCoopLegal,
  type CoopLegal,
  type Coop,
  type CoopStatus,
  type CoopRow,
  type CoopTransition,
} from './coops.service';
export { COOP_KINDS, SOCIAL_TYPES, COOP_STATUSES } from './coop.model';
export { REGIONS } from './regions';
export { MEMBER_ROLES, type MemberRole } from './membership.model';
export { membershipsOf } from './memberships';
export { requireCoopRole, assertCoopRole, roleAtLeast, type CoopContext } from './guards';
export { membersRoutes } from './members.routes';
export { applyToJoin, applicationsOf } from './application.service';
export { ApplicationSchema, CoopLegalSchema, isItalianTaxId, type CoopLegalInput } from './application.schemas';
export { applyAccountState } from './account-state';
export {
  payoutsStateOf,
  saveAccountState,
  startOnboarding,
  refreshOnboardingLink,
  syncAccount,
  dashboardLink,
  type PayoutsState,
  type OnboardingUrls,
} from './onboarding.service';

/** Subscribes coops to the events of the features below it (accounts; payments' connected-account states). */
export function wireCoops(events: EventBus): void {
  wireMemberships(events);
  wireCoopAccounts(events);
}

/** The co-ops feature's periodic work (server.ts runs it): expired invitations go. */
export function coopsJobs(): Job[] {
  return [invitationsJob];
}
