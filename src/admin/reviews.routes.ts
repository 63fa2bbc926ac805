import { Router, type Request, type Response } from 'express';
import { notFound } from '../platform/errors';
import { fieldErrors } from '../platform/forms';
import { flash } from '../platform/web';
import { ModerationSchema, REVIEW_LIMITS, ReviewIdParam, type Reviews } from '../reviews';

/**
 * Moderation: the reviews someone reported and the hidden ones; an admin
 * hides a review, shows it again, or dismisses its reports, giving a
 * reason that is mailed to the author (dismissing mails nobody). Each
 * action is in the audit log. Mounted after the admin guard.
 */
export function reviewsAdminRoutes(reviews: Reviews): Router {
  const router = Router();

  const render = async (req: Request, res: Response, form?: { id: string; errors: Record<string, string>; reason: string }) => {
    const data = await reviews.forModeration();
    res.status(form ? 422 : 200).render('admin/reviews', {
      title: req.t('admin.reviews.title'),
      ...data,
      form: form ?? null,
      limit: REVIEW_LIMITS.note,
    });
  };

  router.get('/admin/reviews', (req, res) => render(req, res));

  for (const action of ['hide', 'restore', 'dismiss'] as const) {
    router.post(`/admin/reviews/:reviewId/${action}`, async (req, res) => {
      const id = ReviewIdParam.safeParse(req.params.reviewId);
      if (!id.success) throw notFound('review_not_found', 'No such review');
      const body = req.body as Record<string, unknown>;
      const parsed = action === 'dismiss' ? ({ success: true, data: { reason: '' } } as const) : ModerationSchema.safeParse(body);
      if (!parsed.success) {
        return render(req, res, {
          id: id.data,
          errors: fieldErrors(parsed.error, { fallback: 'reviews.errors.invalid' }),
          reason: String(body.reason ?? ''),
        });
      }
      await reviews.moderate(id.data, action, parsed.data.reason, req.user!.id);
      flash(req, 'success', `admin.reviews.done.${action}`);
      res.redirect(303, '/admin/reviews');
    });
  }

  return router;
}
