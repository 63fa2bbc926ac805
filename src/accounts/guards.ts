import type { Request, RequestHandler } from 'express';
import { AppError, forbidden } from '../platform/errors';
import { wantsJson } from '../platform/web';
import type { CurrentUser } from './current-user';

/** Signed in, or sent to the login page (HTML) / 401 (JSON), coming back here after. */
export const requireUser: RequestHandler = (req, res, next) => {
  if (req.user) return next();
  if (wantsJson(req) || req.method !== 'GET') return next(new AppError('login_required', 'Sign in first', 401));
  res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
};

/** Signed in and an admin; anyone else gets 403 (or the login page). */
export const requireAdmin: RequestHandler = (req, res, next) => {
  requireUser(req, res, (err?: unknown) => {
    if (err) return next(err);
    if (!req.user?.isAdmin) return next(forbidden('admin_only', 'Admins only'));
    next();
  });
};

export const currentUser = (req: Request): CurrentUser | undefined => req.user;
