import { Router, type Request, type Response } from 'express';
import { requireCoopRole } from '../coops';
import { notFound } from '../platform/errors';
import { fieldErrors } from '../platform/forms';
import { flash } from '../platform/web';
import { REVIEW_LIMITS, ReplySchema, ReviewIdParam, type Reviews } from '../reviews';

/**
 * The co-op's reviews: every member sees them, newest first, with how many
 * await a reply; a manager (and up) replies publicly, once per review,
 * and may edit the reply. Mounted under /workspace/:coopSlug.
 */
export function reviewsRoutes(reviews: Reviews): Router {
  const router = Router({ mergeParams: true });
  const staff = requireCoopRole('staff');
  const manager = requireCoopRole('manager');

  const render = async (req: Request, res: Response, form?: { id: string; errors: Record<string, string>; text: string }) => {
    const { reviews: list, unanswered } = await reviews.forCoop(req.coop!.id);
    res.status(form ? 422 : 200).render('workspace/reviews', {
      title: req.t('workspace.reviews.title'),
      reviews: list,
      unanswered,
      form: form ?? null,
      limit: REVIEW_LIMITS.reply,
      monthOf: (d: Date) => reviews.monthOf(new Date(d), req.locale),
    });
  };

  router.get('/reviews', staff, (req, res) => render(req, res));

  router.post('/reviews/:reviewId/reply', manager, async (req, res) => {
    const id = ReviewIdParam.safeParse(req.params.reviewId);
    if (!id.success) throw notFound('review_not_found', 'No such review');
    const parsed = ReplySchema.safeParse(req.body);
    if (!parsed.success) {
      return render(req, res, {
        id: id.data,
        errors: fieldErrors(parsed.error, { fallback: 'reviews.errors.invalid' }),
        text: String((req.body as Record<string, unknown>).text ?? ''),
      });
    }
    await reviews.reply(req.coop!.id, id.data, parsed.data.text, req.user!.id);
    flash(req, 'success', 'workspace.reviews.replied');
    res.redirect(303, `/workspace/${req.coop!.slug}/reviews#review-${id.data}`);
  });

  return router;
}
