import type { RequestHandler } from 'express';
import { Types } from 'mongoose';
import { UserModel } from './user.model';
import { rotateUserSession } from './session';

/** The roles a user can hold in a co-op (coops/ ranks them: owner > manager > staff). */
export type MemberRole = 'owner' | 'manager' | 'staff';

/** A co-op the user belongs to, with the role in it. */
export interface UserCoop {
  id: string;
  slug: string;
  name: string;
  role: MemberRole;
  status: string;
}

/** Reads a user's co-ops. coops/ provides it and createApp hands it to `loadUser`, so accounts never reads co-ops itself. */
export type MembershipsOf = (userId: string) => Promise<UserCoop[]>;

/** The signed-in user as every route and view sees it (`req.user`, `res.locals.user`). */
export interface CurrentUser {
  id: string;
  email: string;
  name: string;
  isAdmin: boolean;
  locale: 'it' | 'en';
  emailVerified: boolean;
  /** The co-ops this user belongs to, with the role in each. Read fresh on every request. */
  coops: UserCoop[];
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
export async function loadCurrentUser(userId: string, membershipsOf: MembershipsOf): Promise<CurrentUser | null> {
  return (await readUser(userId, membershipsOf))?.user ?? null;
}

async function readUser(userId: string, membershipsOf: MembershipsOf): Promise<{ user: CurrentUser; rightsVersion: number } | null> {
  if (!Types.ObjectId.isValid(userId)) return null;
  const user = await UserModel.findById(userId, {
    email: 1,
    name: 1,
    isAdmin: 1,
    locale: 1,
    emailVerifiedAt: 1,
    deletedAt: 1,
    rightsVersion: 1,
  }).lean();
  if (!user || user.deletedAt) return null;
  const current: CurrentUser = {
    id: String(user._id),
    email: user.email,
    name: user.name,
    isAdmin: !!user.isAdmin,
    locale: user.locale === 'en' ? 'en' : 'it',
    emailVerified: !!user.emailVerifiedAt,
    coops: await membershipsOf(String(user._id)),
  };
  return { user: current, rightsVersion: user.rightsVersion ?? 0 };
}

/**
 * Loads `req.user` from the session on every request, so a removed
 * membership, a revoked admin right or a deleted account takes effect on
 * the user's next request. A session whose user is gone is destroyed.
 */
export const loadUser =
  (membershipsOf: MembershipsOf): RequestHandler =>
  async (req, res, next) => {
    const id = req.session?.userId;
    if (!id) return next();
    const found = await readUser(id, membershipsOf);
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
