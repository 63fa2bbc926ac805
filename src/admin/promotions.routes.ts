import { Router, type Request, type Response } from 'express';
import { listCoops } from '../catalog';
import { fieldErrors } from '../platform/forms';
import { flash } from '../platform/web';
import {
  LimitsBody,
  PromotionIdParam,
  createPromotionFromForm,
  getCoopLimits,
  promotionReport,
  setCoopLimits,
  setPromotionActive,
} from '../promotions';
import { notFound } from '../platform/errors';

/**
 * The admin's promotions: platform-funded codes and automatic promotions
 * (they come out of the commission), every promotion's uses, value given
 * and sales brought, and the limits inside which co-ops make their own.
 * Every change is audited by the promotions service.
 */
export function promotionsAdminRoutes(): Router {
  const router = Router();
  const actor = (req: Request) => ({ userId: req.user!.id, admin: true as const });

  async function page(
    req: Request,
    res: Response,
    status = 200,
    values: Record<string, unknown> = {},
    errors: Record<string, string> = {},
    limitErrors: Record<string, string> = {},
  ) {
    const [rows, limits, coops] = await Promise.all([promotionReport(), getCoopLimits(), listCoops()]);
    res.status(status).render('admin/promotions', {
      title: req.t('promotions.manage.adminTitle'),
      rows,
      limits,
      coops: coops.map((c) => ({ id: c.coop.id, name: c.coop.name })),
      values,
      errors,
      limitErrors,
    });
  }

  router.get('/admin/promotions', (req, res) => page(req, res));

  router.post('/admin/promotions', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const errors = await createPromotionFromForm(actor(req), body);
    if (errors) return page(req, res, 422, body, errors);
    flash(req, 'success', 'promotions.flash.created');
    res.redirect(303, '/admin/promotions');
  });

  router.post('/admin/promotions/limits', async (req, res) => {
    const parsed = LimitsBody.safeParse(req.body ?? {});
    if (!parsed.success) return page(req, res, 422, {}, {}, fieldErrors(parsed.error, 'promotions.errors'));
    await setCoopLimits(req.user!.id, {
      maxPercentBps: parsed.data.maxPercent,
      maxFixedCents: parsed.data.maxFixed,
      maxUses: parsed.data.maxUses,
    });
    flash(req, 'success', 'promotions.flash.limits');
    res.redirect(303, '/admin/promotions');
  });

  router.post('/admin/promotions/:id/active', async (req, res) => {
    const id = PromotionIdParam.safeParse(req.params.id);
    if (!id.success) throw notFound('promotion_not_found', 'No such promotion');
    await setPromotionActive(actor(req), id.data, req.body?.active === 'yes');
    flash(req, 'success', 'promotions.flash.switched');
    res.redirect(303, '/admin/promotions');
  });

  return router;
}
