import { Router, type Request, type Response } from 'express';
import { requireUser } from '../accounts';
import { fieldErrors } from '../platform/forms';
import { flash } from '../platform/web';
import { ApplicationSchema, COOP_KINDS, REGIONS, SOCIAL_TYPES, applicationsOf, applyToJoin } from '../coops';

/** A signed-in user applies to list a co-op (`/join`); the admin decides. */
export function joinRoutes(): Router {
  const router = Router();
  const renderJoin = async (req: Request, res: Response, values: Record<string, unknown>, errors: Record<string, string>) => {
    res.status(Object.keys(errors).length ? 422 : 200).render('workspace/join', {
      title: req.t('workspace.join.title'),
      values,
      errors,
      applications: await applicationsOf(req.user!.id),
      kinds: COOP_KINDS,
      socialTypes: SOCIAL_TYPES,
      regions: REGIONS,
    });
  };

  router.get('/join', requireUser, (req, res) => renderJoin(req, res, {}, {}));

  router.post('/join', requireUser, async (req, res) => {
    const parsed = ApplicationSchema.safeParse(req.body);
    if (!parsed.success)
      return renderJoin(req, res, req.body as Record<string, unknown>, fieldErrors(parsed.error, { fallback: 'workspace.errors.invalid' }));
    const coop = await applyToJoin(req.user!.id, parsed.data);
    flash(req, 'success', 'workspace.join.sent');
    res.redirect(303, `/workspace/${coop.slug}`);
  });

  return router;
}
