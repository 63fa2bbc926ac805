import { Router } from 'express';
import { isLocale } from './i18n';
import { safeNext } from './security';

/**
 * The language switch: plain links (`/lang/en?next=/shop`) so it works
 * without JavaScript and without a session. It only sets a preference
 * cookie, which is why it is a GET and carries no CSRF token.
 */
export function localeRoutes(secure: boolean): Router {
  const router = Router();
  router.get('/lang/:code', (req, res) => {
    const code = req.params.code;
    if (isLocale(code)) {
      res.cookie('lang', code, { maxAge: 365 * 24 * 3600 * 1000, httpOnly: true, sameSite: 'lax', secure });
    }
    res.redirect(303, safeNext(req.query.next));
  });
  return router;
}
