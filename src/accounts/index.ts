/** What other features may use from accounts. */
import type { Job } from '../platform/jobs';
import { accountTokensJob } from './accounts.service';

export {
  getAddress,
  listAddresses,
  createUser,
  rightsChanged,
  stampUser,
  usersByIds,
  findUserByEmail,
  markEmailVerified,
  type SavedAddress,
} from './accounts.service';
export { requireUser, requireAdmin } from './guards';
export {
  loadCurrentUser,
  loadUser,
  userOfHeldSession,
  type CurrentUser,
  type UserCoop,
  type MemberRole,
  type MembershipsOf,
} from './current-user';
export { hashToken, newToken, looksLikeToken } from './token.model';
export { accountsRoutes } from './accounts.routes';
export { mailboxRoutes } from './mailbox.routes';
import './events';

/** The accounts feature's periodic work (server.ts runs it): expired tokens go. */
export function accountsJobs(): Job[] {
  return [accountTokensJob];
}
