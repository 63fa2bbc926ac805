/** What other features may use from admin: the audit log and the router. */
export { audit } from './audit';
export { adminRoutes } from './admin.routes';
