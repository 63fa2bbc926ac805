import { Router, type Request, type Response } from 'express';
import { goods } from '../catalog';
import { flash } from '../platform/web';
import { createPromotionFromForm, getCoopLimits, promotionReport, setPromotionActive, type PromotionActor } from '../promotions';
import { coopBase as base, manager, validId } from './deps';

/**
 * A co-op's own promotions (managers): made on its goods only and funded
 * by it, within the admin's limits; each with its uses, the value it gave
 * and the sales it brought. The services check the co-op on every object.
 */
export function promotionsRoutes(): Router {
  const router = Router();
  const actor = (req: Request): PromotionActor => ({ userId: req.user!.id, coopId: req.coop!.id });

  async function page(
    req: Request,
    res: Response,
    status = 200,
    values: Record<string, unknown> = {},
    errors: Record<string, string> = {},
  ) {
    const [rows, limits, products] = await Promise.all([
      promotionReport({ coopId: req.coop!.id }),
      getCoopLimits(),
      goods.listGoods(req.coop!.id),
    ]);
    res.status(status).render('workspace/promotions', {
      title: req.t('promotions.manage.title'),
      rows,
      limits,
      products: products.filter((p) => !p.archived),
      ownCoop: { id: req.coop!.id, name: req.coop!.name },
      values,
      errors,
    });
  }

  router.get('/workspace/:coopSlug/promotions', manager, (req, res) => page(req, res));

  router.post('/workspace/:coopSlug/promotions', manager, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const errors = await createPromotionFromForm(actor(req), body);
    if (errors) return page(req, res, 422, body, errors);
    flash(req, 'success', 'promotions.flash.created');
    res.redirect(303, `${base(req)}/promotions`);
  });

  router.post('/workspace/:coopSlug/promotions/:id/active', manager, async (req, res) => {
    await setPromotionActive(actor(req), validId(req.params.id, 'promotion_not_found'), req.body?.active === 'yes');
    flash(req, 'success', 'promotions.flash.switched');
    res.redirect(303, `${base(req)}/promotions`);
  });

  return router;
}
