import { Router } from 'express';
import { renderLegalPage, type LegalRoutesDeps } from '../legal';
import type { CoreDeps } from '../platform/deps';
import { isAppError } from '../platform/errors';
import { fieldErrors } from '../platform/forms';
import { limiter } from '../platform/rate-limit';
import { flash } from '../platform/web';
import { requestWithdrawal } from './withdrawal.service';
import { WithdrawalBody } from './withdrawal.schemas';

/** Failed attempts per address and quarter hour: guessing number and e-mail pairs stays slow. */
export const WITHDRAWAL_LIMIT = { windowMs: 15 * 60_000, limit: 20 };

/**
 * POST /legal/withdrawal: the online withdrawal form on the withdrawal page
 * (legal renders the page; orders answers the form, since it reads the order).
 */
export function withdrawalRoutes(deps: Pick<CoreDeps, 'mailer' | 'config'> & Pick<LegalRoutesDeps, 'legal'>): Router {
  const router = Router();
  const pageDeps: LegalRoutesDeps = { legal: deps.legal, config: deps.config };
  const failures = limiter({ name: 'withdrawal-ip', ...WITHDRAWAL_LIMIT, skipSuccessfulRequests: true });
  router.post('/legal/withdrawal', failures, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = { ...body };
    const parsed = WithdrawalBody.safeParse(body);
    if (!parsed.success)
      return renderLegalPage(
        req,
        res,
        pageDeps,
        'withdrawal',
        { values, errors: fieldErrors(parsed.error, 'legal.withdrawal.errors') },
        422,
      );
    try {
      const done = await requestWithdrawal(deps, parsed.data, { userId: req.user?.id, locale: req.locale });
      flash(req, 'success', 'legal.withdrawal.sent', { number: done.orderNumber, email: parsed.data.email });
      res.redirect(303, '/legal/withdrawal#withdrawal-form');
    } catch (err) {
      if (!isAppError(err) || !['withdrawal_order_not_found', 'withdrawal_not_possible'].includes(err.code)) throw err;
      const key = err.code === 'withdrawal_order_not_found' ? 'legal.withdrawal.errors.notFound' : 'legal.withdrawal.errors.notPossible';
      return renderLegalPage(req, res, pageDeps, 'withdrawal', { values, errors: { form: key } }, err.status);
    }
  });
  return router;
}
