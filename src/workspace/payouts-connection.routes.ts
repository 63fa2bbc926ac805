import { Router, type Request } from 'express';
import type { PaymentGateway } from '../payments';
import { unavailable } from '../platform/errors';
import { flash } from '../platform/web';
import { dashboardLink, refreshOnboardingLink, startOnboarding, syncAccount } from '../coops';
import { workspaceCoop } from './workspace.service';
import { coopBase as base, owner, type WorkspaceDeps } from './deps';

/** The owner connects the co-op's Stripe account, comes back from onboarding, and opens its Stripe dashboard. */
export function payoutsConnectionRoutes(deps: Pick<WorkspaceDeps, 'config' | 'payments' | 'events'>): Router {
  const router = Router();
  const payments = (): PaymentGateway => {
    if (!deps.payments) throw unavailable('payments_unavailable', 'Payments are not configured');
    return deps.payments;
  };
  const onboardingUrls = (req: Request) => ({
    refreshUrl: `${req.publicUrl}${base(req)}/payouts/refresh`,
    returnUrl: `${req.publicUrl}${base(req)}/payouts/return`,
  });

  router.get('/workspace/:coopSlug/payouts', owner, async (req, res) => {
    const coop = await workspaceCoop(req.coop!.id);
    res.render('workspace/payouts', { title: req.t('workspace.payouts.title'), coop, available: !!deps.payments });
  });

  router.post('/workspace/:coopSlug/payouts/connect', owner, async (req, res) => {
    const url = await startOnboarding(payments(), req.coop!.id, req.user!.email, onboardingUrls(req));
    res.redirect(303, url);
  });

  // Stripe sends the owner here when a link was used or expired: make a new one.
  router.get('/workspace/:coopSlug/payouts/refresh', owner, async (req, res) => {
    res.redirect(303, await refreshOnboardingLink(payments(), req.coop!.id, onboardingUrls(req)));
  });

  router.get('/workspace/:coopSlug/payouts/return', owner, async (req, res) => {
    const state = await syncAccount(payments(), deps.events, req.coop!.id);
    flash(req, state === 'ready' ? 'success' : 'info', `workspace.payouts.returned.${state}`);
    res.redirect(303, `${base(req)}/payouts`);
  });

  router.post('/workspace/:coopSlug/payouts/refresh-state', owner, async (req, res) => {
    await syncAccount(payments(), deps.events, req.coop!.id);
    res.redirect(303, `${base(req)}/payouts`);
  });

  router.post('/workspace/:coopSlug/payouts/dashboard', owner, async (req, res) => {
    res.redirect(303, await dashboardLink(payments(), req.coop!.id));
  });

  return router;
}
