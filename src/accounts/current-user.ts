import type { RequestHandler } from 'express';
import { Types } from 'mongoose';
import { UserModel } from './user.model';
import { MembershipModel, type MemberRole } from '../coops/membership.model';
import { CoopModel } from '../coops/coop.model';
import { trusted } from '../platform/db';
import { rotateUserSession } from './session';

/** The signed-in user as every route and view sees it (`req.user`, `res.locals.user`). */
export interface CurrentUser {
  id: string;
  email: string;
  name: string;
  isAdmin: boolean;
  locale: 'it' | 'en';
  emailVerified: boolean;
  /** The co-ops this user belongs to, with the role in each. Read fresh on every request. */
  coops: { id: string; slug: string; name: string; role: MemberRole; status: string }[];
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      user?: CurrentUser;
    }
  }
}

declare module 'express-session' {
  interface SessionData {
    rightsVersion?: number;
  }
}

/** Reads a user and their memberships; null when the account is gone or deleted. */
export async function loadCurrentUser(userId: string): Promise<CurrentUser | null> {
  return (await readUser(userId))?.user ?? null;
}

async function readUser(userId: string): Promise<{ user: CurrentUser; rightsVersion: number } | null> {
  if (!Types.ObjectId.isValid(userId)) return null;
  const user = await UserModel.findById(userId, { email: 1, name: 1, isAdmin: 1, locale: 1, emailVerifiedAt: 1, deletedAt: 1, rightsVersion: 1 }).lean();
  if (!user || user.deletedAt) return null;
  const memberships = await MembershipModel.find({ user: user._id }, { coop: 1, role: 1 }).lean();
  const coops = memberships.length
    ? await CoopModel.find({ _id: trusted({ $in: memberships.map((m) => m.coop) }) }, { slug: 1, name: 1, status: 1 }).lean()
    : [];
  const byId = new Map(coops.map((c) => [String(c._id), c]));
  const current: CurrentUser = {
    id: String(user._id),
    email: user.email,
    name: user.name,
    isAdmin: !!user.isAdmin,
    locale: user.locale === 'en' ? 'en' : 'it',
    emailVerified: !!user.emailVerifiedAt,
    coops: memberships.flatMap((m) => {
      const c = byId.get(String(m.coop));
      return c ? [{ id: String(c._id), slug: c.slug, name: c.name, role: m.role as MemberRole, status: c.status }] : [];
    }),
  };
  return { user: current, rightsVersion: user.rightsVersion ?? 0 };
}

/**
 * Loads `req.user` from the session on every request, so a removed
 * membership, a revoked admin right or a deleted account takes effect on
 * the user's next request. A session whose user is gone is destroyed.
 */
export const loadUser: RequestHandler = async (req, res, next) => {
  const id = req.session?.userId;
  if (!id) return next();
  const found = await readUser(id);
  if (!found) {
    await new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
    return next();
  }
  // Rights changed since this session last looked (role changed, removed, made admin):
  // the session gets a new id, so a copy of the old cookie no longer carries the new rights.
  if (req.session.rightsVersion !== found.rightsVersion) await rotateUserSession(req, found.rightsVersion);
  const user = found.user;
  req.user = user;
  res.locals.user = user;
  // Pages that depend on who is signed in must not be cached by anyone else.
  res.set('Cache-Control', 'private, no-store');
  next();
};
