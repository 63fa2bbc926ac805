import { Router, type Request, type Response } from 'express';
import { requireUser } from '../accounts';
import type { Config } from '../platform/config';
import { isAppError, notFound } from '../platform/errors';
import { fieldErrors } from '../platform/forms';
import { limiter } from '../platform/rate-limit';
import { flash } from '../platform/web';
import type { Reviews, ReviewerAccess } from './reviews.service';
import { optOutByToken } from './invitations';
import { LIMITS, ObjectIdParam, ReportSchema, ReviewIdParam, ReviewSchema, ViewTokenParam } from './reviews.schemas';
import { REPORT_REASONS } from './review.model';

export interface ReviewsRoutesDeps {
  reviews: Reviews;
  config: Config;
}

/** Per client: writing is rare (a few products an order), reporting and voting a little less so. */
const writeLimit = limiter({ name: 'review-write', windowMs: 60 * 60_000, limit: 20 });
const reportLimit = limiter({ name: 'review-report', windowMs: 60 * 60_000, limit: 10 });
const voteLimit = limiter({ name: 'review-vote', windowMs: 60 * 60_000, limit: 60 });

/**
 * The buyer's review pages, reached from the invitation mail or the order:
 * `/reviews/order/:orderId` for a signed-in buyer's own order, and
 * `/reviews/link/:token` through the order's private link (a guest's).
 * The order comes only from the path (the owner is checked in the service);
 * a form names the product, which must be in that order and have reached
 * the buyer. Also: "helpful" votes, reports, and the one-click stop of
 * the invitation mails.
 */
export function reviewsRoutes(deps: ReviewsRoutesDeps): Router {
  const { reviews } = deps;
  const router = Router();

  router.use('/reviews', (_req, res, next) => {
    res.locals.fieldAttrs = (errors: Record<string, string>, name: string) =>
      errors[name] ? `aria-invalid="true" aria-describedby="err-${name}"` : '';
    next();
  });

  /** Where this buyer's pages live, and who they are to the service. */
  const accessOf = (req: Request): { access: ReviewerAccess; base: string } => {
    if (req.params.token !== undefined) {
      const token = ViewTokenParam.safeParse(req.params.token);
      if (!token.success) throw notFound('order_not_found', 'No such order');
      return { access: { token: token.data }, base: `/reviews/link/${token.data}` };
    }
    const orderId = ObjectIdParam.safeParse(req.params.orderId);
    if (!orderId.success || !req.user) throw notFound('order_not_found', 'No such order');
    return { access: { userId: req.user.id, orderId: orderId.data }, base: `/reviews/order/${orderId.data}` };
  };

  const productParam = (req: Request): string => {
    const p = ObjectIdParam.safeParse(req.params.productId);
    if (!p.success) throw notFound('product_not_in_order', 'No such product in this order');
    return p.data;
  };

  async function renderOrder(
    req: Request,
    res: Response,
    form?: { productId: string; errors: Record<string, string>; values: Record<string, string> },
  ) {
    const { access, base } = accessOf(req);
    const { order, items } = await reviews.reviewable(access);
    res.status(form && Object.keys(form.errors).length ? 422 : 200).render('reviews/order', {
      title: req.t('reviews.order.title', { number: order.number }),
      order,
      items,
      base,
      form: form ?? null,
      editing: typeof req.query.edit === 'string' ? req.query.edit : '',
      limits: LIMITS,
      monthOf: (d: Date) => reviews.monthOf(new Date(d), req.locale),
    });
  }

  const write = (mode: 'write' | 'edit') => async (req: Request, res: Response) => {
    const { access, base } = accessOf(req);
    const productId = productParam(req);
    const values = req.body as Record<string, string>;
    const parsed = ReviewSchema.safeParse(req.body);
    if (!parsed.success)
      return renderOrder(req, res, { productId, errors: fieldErrors(parsed.error, { fallback: 'reviews.errors.invalid' }), values });
    try {
      if (mode === 'write') await reviews.write(access, productId, parsed.data);
      else await reviews.edit(access, productId, parsed.data);
      flash(req, 'success', mode === 'write' ? 'reviews.flash.written' : 'reviews.flash.edited');
    } catch (err) {
      if (!isAppError(err) || err.code !== 'already_reviewed') throw err;
      // A replayed form or a second tab: the review stands as first written.
      flash(req, 'info', 'reviews.flash.already');
    }
    res.redirect(303, `${base}#review-${productId}`);
  };

  const remove = async (req: Request, res: Response) => {
    const { access, base } = accessOf(req);
    await reviews.remove(access, productParam(req));
    flash(req, 'success', 'reviews.flash.deleted');
    res.redirect(303, base);
  };

  router.get('/reviews/order/:orderId', requireUser, (req, res) => renderOrder(req, res));
  router.post('/reviews/order/:orderId/:productId', requireUser, writeLimit, write('write'));
  router.post('/reviews/order/:orderId/:productId/edit', requireUser, writeLimit, write('edit'));
  router.post('/reviews/order/:orderId/:productId/delete', requireUser, writeLimit, remove);
  router.get('/reviews/link/:token', (req, res) => renderOrder(req, res));
  router.post('/reviews/link/:token/:productId', writeLimit, write('write'));
  router.post('/reviews/link/:token/:productId/edit', writeLimit, write('edit'));
  router.post('/reviews/link/:token/:productId/delete', writeLimit, remove);

  const reviewParam = (req: Request): string => {
    const id = ReviewIdParam.safeParse(req.params.reviewId);
    if (!id.success) throw notFound('review_not_found', 'No such review');
    return id.data;
  };

  /** Back to the product page the review is on. */
  const backTo = (req: Request) => {
    const slug = typeof req.body?.slug === 'string' && /^[a-z0-9][a-z0-9-]{0,99}$/.test(req.body.slug) ? req.body.slug : '';
    return slug ? `/products/${slug}` : '/';
  };

  router.post('/reviews/:reviewId/helpful', voteLimit, async (req, res) => {
    const id = reviewParam(req);
    // One vote per user, or per guest session (a POST always has one: its CSRF token lives there).
    const voter = req.user ? `u:${req.user.id}` : `s:${req.sessionID}`;
    const { counted } = await reviews.vote(id, voter);
    flash(req, counted ? 'success' : 'info', counted ? 'reviews.flash.voted' : 'reviews.flash.votedAlready');
    res.redirect(303, `${backTo(req)}#review-${id}`);
  });

  const renderReport = async (req: Request, res: Response, errors: Record<string, string> = {}, values: Record<string, string> = {}) => {
    const review = await reviews.getReview(reviewParam(req));
    if (!review || review.status !== 'published') throw notFound('review_not_found', 'No such review');
    res.status(Object.keys(errors).length ? 422 : 200).render('reviews/report', {
      title: req.t('reviews.report.title'),
      review,
      reasons: REPORT_REASONS,
      errors,
      values,
      limits: LIMITS,
      slug: typeof req.query.slug === 'string' ? req.query.slug : (values.slug ?? ''),
    });
  };

  router.get('/reviews/:reviewId/report', (req, res) => renderReport(req, res));
  router.post('/reviews/:reviewId/report', reportLimit, async (req, res) => {
    const id = reviewParam(req);
    const parsed = ReportSchema.safeParse(req.body);
    const values = req.body as Record<string, string>;
    if (!parsed.success) return renderReport(req, res, fieldErrors(parsed.error, { fallback: 'reviews.errors.invalid' }), values);
    await reviews.report(id, parsed.data, req.user?.id ?? null);
    flash(req, 'success', 'reviews.flash.reported');
    res.redirect(303, backTo(req));
  });

  // One click from the mail, signed in or not: the token is the proof. Stopping twice changes nothing.
  router.get('/reviews/stop/:token', async (req, res) => {
    if (!(await optOutByToken(deps.config, String(req.params.token)))) throw notFound('link_invalid', 'This link is not valid');
    res.render('reviews/stopped', { title: req.t('reviews.stopped.title') });
  });

  return router;
}
