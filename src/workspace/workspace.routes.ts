import { Router } from 'express';
import { requireUser } from '../accounts';
import { roleAtLeast } from '../coops';
import { LOW_STOCK_UNITS, goods, keepWhile } from '../catalog';
import { homeAtAGlance } from './workspace.service';
import { GlanceCache } from './glance-cache';
import { KeptWorkspacePages } from './kept-pages';
import { staff, type WorkspaceDeps } from './deps';
import { joinRoutes } from './join.routes';
import { payoutsConnectionRoutes } from './payouts-connection.routes';
import { goodsImportRoutes } from './goods-import.routes';
import { goodsRoutes } from './goods.routes';
import { fulfilmentRoutes } from './fulfilment.routes';
import { reportsRoutes } from './reports.routes';
import { reviewsRoutes } from './reviews.routes';
import { promotionsRoutes } from './promotions.routes';

export type { WorkspaceDeps } from './deps';

/** `aria-invalid` and `aria-describedby` for an input whose value was refused. */
function fieldAttrs(errors: Record<string, string>, name: string): string {
  return errors[name] ? `aria-invalid="true" aria-describedby="err-${name.replace(/\./g, '-')}"` : '';
}

/**
 * The co-op workspace: joining (`/join`), the list of my co-ops
 * (`/workspace`) and each co-op's pages under `/workspace/:coopSlug`,
 * guarded by role: staff fulfil orders, managers also edit goods and see
 * the money, only the owner connects payouts (members: coops/).
 * Each part has its own router; the order below is the order of matching.
 */
export function workspaceRoutes(deps: WorkspaceDeps): Router {
  const router = Router();

  router.use(['/join', '/workspace'], (_req, res, next) => {
    res.locals.fieldAttrs = fieldAttrs;
    next();
  });

  router.use(joinRoutes());

  // ── My co-ops and the co-op home ───────────────────────────────────────
  router.get('/workspace', requireUser, (req, res) => {
    res.render('workspace/index', { title: req.t('workspace.index.title'), coops: req.user!.coops });
  });

  // The co-op home's counters, kept a few seconds per co-op (glance-cache.ts); a member's own change drops them.
  // With the count of reviews awaiting a reply: a reply (a POST) drops them like any other change.
  const glances = new GlanceCache<Awaited<ReturnType<typeof homeAtAGlance>> & { newReviews: number }>(deps.config.workspaceGlanceMs);
  // The goods list with its stock, kept as long, per co-op and goods stamp: an edit of a product (in any process) shows at once.
  const goodsLists = new GlanceCache<Awaited<ReturnType<typeof goods.listGoods>>>(deps.config.workspaceGlanceMs);
  // The pages made from them, per member, as long as what they show is kept (kept-pages.ts).
  const kept = new KeptWorkspacePages(deps.config.workspaceGlanceMs, deps.frontDoor);

  router.use('/workspace/:coopSlug', staff, (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const coopId = req.coop!.id;
      res.on('finish', () => {
        glances.drop(coopId);
        goodsLists.drop(coopId);
      });
    }
    res.locals.coopNav = {
      slug: req.coop!.slug,
      name: req.coop!.name,
      role: req.coop!.role,
      status: req.coop!.status,
      can: (min: 'staff' | 'manager' | 'owner') => roleAtLeast(req.coop!.role, min),
    };
    next();
  });

  router.get('/workspace/:coopSlug', kept.keep(/^\/workspace\/([^/]+)$/), async (req, res) => {
    const coop = req.coop!;
    const view = roleAtLeast(coop.role, 'manager') ? 'money' : 'staff';
    const held = glances.get(coop.id, view, async () => {
      const [counters, newReviews] = await Promise.all([homeAtAGlance(coop), deps.reviews ? deps.reviews.unansweredCount(coop.id) : 0]);
      return { ...counters, newReviews };
    });
    keepWhile(res, () => glances.holds(coop.id, view, held));
    const glance = await held;
    res.render('workspace/dashboard', {
      title: glance.coop.name,
      coop: glance.coop,
      glance,
      newReviews: glance.newReviews,
      lowStockUnits: LOW_STOCK_UNITS,
    });
  });

  router.use(payoutsConnectionRoutes(deps));
  router.use(goodsImportRoutes());
  router.use(goodsRoutes(deps, { kept, goodsLists }));
  router.use(promotionsRoutes());
  router.use('/workspace/:coopSlug', fulfilmentRoutes(deps), reportsRoutes(deps));
  if (deps.reviews) router.use('/workspace/:coopSlug', reviewsRoutes(deps.reviews));

  return router;
}
