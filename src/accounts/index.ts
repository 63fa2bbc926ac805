/** What other features may use from accounts. */
export { getAddress, listAddresses, createUser, rightsChanged, usersByIds, findUserByEmail, markEmailVerified, type SavedAddress } from './accounts.service';
export { requireUser, requireAdmin } from './guards';
export { loadCurrentUser, loadUser, type CurrentUser, type UserCoop, type MemberRole, type MembershipsOf } from './current-user';
export { hashToken, newToken, looksLikeToken } from './token.model';
export { accountsRoutes } from './accounts.routes';
export { mailboxRoutes } from './mailbox.routes';
import './events';
