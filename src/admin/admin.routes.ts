import { Router, type Request, type Response } from 'express';
import { requireAdmin } from '../accounts';
import { adminLabels } from './labels';
import { promotionsAdminRoutes } from './promotions.routes';
import { flash } from '../platform/web';
import { AuditQuery, CommissionBody, ConfirmBody, CoopIdParams, RejectBody, parseParams } from './admin.schemas';
import { fieldErrors } from '../platform/forms';
import { changeCoopStatus, listAudit } from './admin.service';
import { addCommissionRate, listCommissionRates } from '../payouts';
import { coopNames, getCoopRow, listCoopRows as listCoops } from '../coops';
import { overview } from './overview.service';
import { payoutsAdminRoutes } from './payouts.routes';
import { moneyAdminRoutes, type MoneyRoutesDeps } from './money.routes';
import type { Payouts } from '../payouts';
import type { Legal } from '../legal';
import { legalAdminRoutes } from './legal.routes';
import { reviewsAdminRoutes } from './reviews.routes';
import type { Reviews } from '../reviews';

/**
 * Everything under /admin: only admins (guests go to the login page, others
 * get 403). Every change is a POST with a CSRF token and a confirmation
 * field, and is written to the audit log by the service.
 */
export function adminRoutes(
  deps: MoneyRoutesDeps & {
    payouts: Parameters<typeof payoutsAdminRoutes>[0] & Pick<Payouts, 'commission'>;
    legal: Legal;
    reviews?: Reviews;
  },
): Router {
  const router = Router();
  router.use('/admin', requireAdmin, adminLabels);

  router.get('/admin', async (req, res) => {
    const data = await overview();
    res.render('admin/overview', { title: req.t('admin.overview.title'), ...data });
  });

  router.get('/admin/coops', async (req, res) => {
    const { pending, others } = await listCoops();
    res.render('admin/coops', { title: req.t('admin.coops.title'), pending, others });
  });

  async function renderCoop(
    req: Request,
    res: Response,
    coopId: string,
    status = 200,
    errors: Record<string, string> = {},
    values: Record<string, string> = {},
  ) {
    const coop = await getCoopRow(coopId);
    res.status(status).render('admin/coop', { title: coop.name, coop, errors, values });
  }

  router.get('/admin/coops/:coopId', async (req, res) => {
    const { coopId } = parseParams(CoopIdParams, req.params);
    await renderCoop(req, res, coopId);
  });

  for (const action of ['approve', 'reject', 'pause', 'resume'] as const) {
    router.post(`/admin/coops/:coopId/${action}`, async (req, res) => {
      const { coopId } = parseParams(CoopIdParams, req.params);
      const body = req.body as Record<string, string>;
      const confirm = ConfirmBody.safeParse(body);
      const reason = action === 'reject' ? RejectBody.safeParse(body) : null;
      if (!confirm.success || (reason && !reason.success)) {
        const errors: Record<string, string> = {};
        if (!confirm.success) errors[`${action}-confirm`] = 'admin.errors.confirm';
        if (reason && !reason.success) errors.reason = 'admin.errors.reason';
        return renderCoop(req, res, coopId, 422, errors, { reason: String(body.reason ?? '') });
      }
      await changeCoopStatus(req.user!.id, coopId, action, reason?.data?.reason ?? '');
      flash(req, 'success', `admin.coops.done.${action}`);
      res.redirect(303, `/admin/coops/${coopId}`);
    });
  }

  async function renderCommission(
    req: Request,
    res: Response,
    status = 200,
    errors: Record<string, string> = {},
    values: Record<string, string> = {},
  ) {
    const [rates, coops] = await Promise.all([listCommissionRates(), coopNames()]);
    res.status(status).render('admin/commission', {
      title: req.t('admin.commission.title'),
      rates,
      coops,
      errors,
      values,
    });
  }

  router.get('/admin/commission', (req, res) => renderCommission(req, res));

  router.post('/admin/commission', async (req, res) => {
    const parsed = CommissionBody.safeParse(req.body);
    if (!parsed.success) {
      const body = req.body as Record<string, string>;
      return renderCommission(req, res, 422, fieldErrors(parsed.error, 'admin.commission.errors'), {
        coop: String(body.coop ?? ''),
        percent: String(body.percent ?? ''),
        effectiveFrom: String(body.effectiveFrom ?? ''),
        note: String(body.note ?? ''),
      });
    }
    const b = parsed.data;
    await addCommissionRate(
      req.user!.id,
      { coopId: b.coop || null, bps: b.percent, effectiveFrom: new Date(`${b.effectiveFrom}T00:00:00Z`), note: b.note },
      deps.payouts.commission,
    );
    flash(req, 'success', 'admin.commission.added');
    res.redirect(303, '/admin/commission');
  });

  router.get('/admin/audit', async (req, res) => {
    const parsed = AuditQuery.safeParse(req.query);
    const filter = parsed.success ? parsed.data : AuditQuery.parse({});
    const data = await listAudit(filter);
    res.render('admin/audit', { title: req.t('admin.audit.title'), filter, ...data });
  });

  router.use(payoutsAdminRoutes(deps.payouts));
  router.use(legalAdminRoutes(deps.legal));
  router.use(moneyAdminRoutes(deps));
  if (deps.reviews) router.use(reviewsAdminRoutes(deps.reviews));
  router.use(promotionsAdminRoutes());
  return router;
}
