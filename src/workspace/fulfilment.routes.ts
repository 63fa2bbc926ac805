import { Router, type Request, type Response } from 'express';
import { requireCoopRole } from '../coops';
import { isAppError, notFound } from '../platform/errors';
import { flash } from '../platform/web';
import { fieldErrors } from '../platform/forms';
import { FulfilmentSchema } from './workspace.schemas';
import { SHARE_ID, advanceShare, shareForFulfilment, sharesOfCoop } from './fulfilment.service';
import type { WorkspaceDeps } from './deps';

/**
 * Orders to fulfil, for every member (staff and up): the co-op's shares
 * only, their steps and a printable packing slip. Mounted under
 * /workspace/:coopSlug after the membership check.
 */
export function fulfilmentRoutes(deps: WorkspaceDeps): Router {
  const router = Router({ mergeParams: true });
  const staff = requireCoopRole('staff');
  const shareParam = (req: Request): string => {
    const id = String(req.params.shareId ?? '');
    if (!SHARE_ID.test(id)) throw notFound('share_not_found', 'No such order for this co-op');
    return id;
  };

  router.get('/orders', staff, async (req, res) => {
    const which = req.query.show === 'done' ? 'done' : 'open';
    res.render('workspace/orders', { title: req.t('workspace.orders.title'), shares: await sharesOfCoop(req.coop!.id, which), which });
  });

  const renderShare = async (
    req: Request,
    res: Response,
    errors: Record<string, string> = {},
    values: Record<string, string> = {},
    status?: number,
  ) => {
    const share = await shareForFulfilment(req.coop!.id, shareParam(req));
    res
      .status(status ?? (Object.keys(errors).length ? 422 : 200))
      .render('workspace/order', { title: req.t('workspace.orders.orderTitle', { number: share.orderNumber }), share, errors, values });
  };

  router.get('/orders/:shareId', staff, (req, res) => renderShare(req, res));

  router.post('/orders/:shareId/status', staff, async (req, res) => {
    const id = shareParam(req);
    const parsed = FulfilmentSchema.safeParse(req.body);
    const values = req.body as Record<string, string>;
    if (!parsed.success) return renderShare(req, res, fieldErrors(parsed.error, { fallback: 'workspace.errors.invalid' }), values);
    try {
      const { changed } = await advanceShare(deps, {
        coopId: req.coop!.id,
        shareId: id,
        to: parsed.data.status,
        by: req.user!.id,
        carrier: parsed.data.carrier,
        trackingNumber: parsed.data.trackingNumber,
      });
      flash(req, changed ? 'success' : 'info', changed ? `workspace.orders.moved.${parsed.data.status}` : 'workspace.orders.already');
    } catch (err) {
      if (isAppError(err) && err.code === 'carrier_required') return renderShare(req, res, { carrier: 'workspace.errors.carrier' }, values);
      if (isAppError(err) && err.code === 'illegal_transition') {
        return renderShare(req, res, { status: 'workspace.errors.illegalMove' }, values, 409);
      }
      throw err;
    }
    res.redirect(303, `/workspace/${req.coop!.slug}/orders/${id}`);
  });

  router.get('/orders/:shareId/slip', staff, async (req, res) => {
    const share = await shareForFulfilment(req.coop!.id, shareParam(req));
    res.render('workspace/slip', {
      layout: false,
      title: req.t('workspace.slip.title', { number: share.orderNumber }),
      share,
      coopName: req.coop!.name,
    });
  });

  return router;
}
