/** What other features may use from accounts. */
export { registerLoginHook, type LoginHook } from './session';
export { getAddress, listAddresses, onAccountDeleted, createUser, type SavedAddress } from './accounts.service';
export { requireUser, requireAdmin, requireCoopRole, assertCoopRole, roleAtLeast, type CoopContext } from './guards';
export { loadCurrentUser, type CurrentUser } from './current-user';
export { hashToken, newToken, looksLikeToken } from './token.model';
