/** What other features may use from admin: the router (the audit log is in platform/audit.ts). */
export { adminRoutes } from './admin.routes';
