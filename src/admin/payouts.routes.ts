import { Router } from 'express';

/** Payouts, refunds, ledger and reconciliation under /admin (behind requireAdmin, mounted by adminRoutes). */
export function payoutsAdminRoutes(): Router {
  const router = Router();
  return router;
}
