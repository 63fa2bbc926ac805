import { Router } from 'express';
import { z } from 'zod';
import { notFound } from '../platform/errors';
import { localized } from '../platform/i18n';
import { coopPage, listCoops } from './catalog.service';
import { catalogViewHelpers } from './catalog.routes';

const slugSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,79}$/);

/**
 * The public co-op pages: the list of approved co-ops and each one's story,
 * impact and products. Read from the catalogue's in-memory model, so a
 * pending or paused co-op is simply not there (404).
 */
export function coopsRoutes(): Router {
  const router = Router();

  router.get('/coops', async (req, res) => {
    const coops = await listCoops();
    res.render('coops/index', { title: req.t('coops.index.title'), description: req.t('coops.index.lead'), coops, ...catalogViewHelpers });
  });

  router.get('/coops/:slug', async (req, res) => {
    const slug = slugSchema.safeParse(req.params.slug);
    if (!slug.success) throw notFound('coop_not_found', 'Bad co-op slug');
    const { coop, products, rating } = await coopPage(slug.data);
    res.render('coops/show', {
      title: coop.name,
      description: localized(coop.story, req.locale).slice(0, 160),
      coop,
      products,
      rating,
      ...catalogViewHelpers,
    });
  });

  return router;
}
