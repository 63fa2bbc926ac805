import type { RequestHandler } from 'express';
import { requireUser, type CurrentUser } from '../accounts';
import { forbidden, notFound } from '../platform/errors';
import type { MemberRole } from './membership.model';

/** Role order inside a co-op: an owner can do what a manager can, a manager what staff can. */
const RANK: Record<MemberRole, number> = { staff: 1, manager: 2, owner: 3 };
export const roleAtLeast = (role: MemberRole, min: MemberRole): boolean => RANK[role] >= RANK[min];

/** The co-op a workspace request acts on, set by `requireCoopRole`. */
export interface CoopContext {
  id: string;
  slug: string;
  name: string;
  role: MemberRole;
  status: string;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      coop?: CoopContext;
    }
  }
}

/**
 * A member of the co-op named by `:coopSlug` with at least role `min`.
 * Not a member → 404 (the co-op's workspace does not exist for them);
 * a member with a lower role → 403. Sets `req.coop`.
 * Services check ownership again on the object they change.
 */
export function requireCoopRole(min: MemberRole, param = 'coopSlug'): RequestHandler {
  return (req, res, next) => {
    requireUser(req, res, (err?: unknown) => {
      if (err) return next(err);
      const slug = req.params[param];
      const membership = req.user!.coops.find((c) => c.slug === slug);
      if (!membership) return next(notFound('coop_not_found', 'No such co-op workspace'));
      if (!roleAtLeast(membership.role, min)) return next(forbidden('role_too_low', `Needs the ${min} role`));
      req.coop = { ...membership };
      next();
    });
  };
}

/** For services: throws unless `user` has at least `min` in co-op `coopId`. */
export function assertCoopRole(user: CurrentUser | undefined, coopId: string, min: MemberRole): CoopContext {
  const m = user?.coops.find((c) => c.id === coopId);
  if (!m) throw notFound('coop_not_found', 'No such co-op workspace');
  if (!roleAtLeast(m.role, min)) throw forbidden('role_too_low', `Needs the ${min} role`);
  return { ...m };
}
