import type { Request, RequestHandler } from 'express';
import type { SessionData } from 'express-session';
import { Types } from 'mongoose';
import type { FindCursor } from 'mongodb';
import { UserModel } from './user.model';
import { GatheredReads } from '../platform/gathered-reads';
import { rotateUserSession } from './session';
import { NO_STORE, reloadSession, sessionHeldSince, type SessionContent } from '../platform/security';

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
  /** The co-ops this user belongs to, with the role in each: current as of the user's rights version (see `loadUser`). */
  coops: UserCoop[];
  /** Other features' stamps on the user (`stampUser`): what they keep per user is current while its stamp is. */
  stamps: Readonly<Record<string, string>>;
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
    /** The user's co-ops as read at `rightsVersion`, and when (ms): see `loadUser`. */
    coops?: UserCoop[];
    coopsAt?: number;
  }
}

/** Reads a user and their memberships; null when the account is gone or deleted. */
export async function loadCurrentUser(userId: string, membershipsOf: MembershipsOf): Promise<CurrentUser | null> {
  return (await readUser(userId, membershipsOf))?.user ?? null;
}

/** Co-ops read earlier, and the rights version they were read at. */
interface HeldCoops {
  rightsVersion: number;
  coops: UserCoop[];
  at: number;
}

/**
 * A session's co-ops are read again after this long even when the rights
 * version has not moved: the bound on a change whose version bump was lost
 * (a crash between the membership write and the bump).
 */
export const HELD_COOPS_MS = 5 * 60_000;

/**
 * How long after a user's sessions were last ended a copy of one of their
 * sessions held in memory is still read again from the store: the time an
 * ending takes (the mark is written first, then the sessions are deleted)
 * and the clock skew between app processes, with room to spare.
 */
export const SESSIONS_ENDED_MARGIN_MS = 30_000;

/** What a request reads of its user. */
const USER_FIELDS = {
  email: 1,
  name: 1,
  isAdmin: 1,
  locale: 1,
  emailVerifiedAt: 1,
  deletedAt: 1,
  rightsVersion: 1,
  sessionsEndedAt: 1,
  stamps: 1,
} as const;
interface UserFields {
  _id: Types.ObjectId;
  email: string;
  name: string;
  isAdmin?: boolean;
  locale?: string;
  emailVerifiedAt?: Date | null;
  deletedAt?: Date | null;
  rightsVersion?: number;
  sessionsEndedAt?: Date | null;
  stamps?: Record<string, string>;
}

interface FoundUser {
  user: CurrentUser;
  rightsVersion: number;
  sessionsEndedAt: number;
  /** The co-ops were read now (the held ones were of another rights version, or too old). */
  fresh: boolean;
}

/**
 * The read every signed-in request makes, shared by those asking at about
 * the same time (each by a read sent after it asked: GatheredReads), and
 * through the driver, without a Mongoose query to build and cast.
 */
const users = new GatheredReads<string, UserFields>(async (ids) => {
  // Awaited: while Mongoose buffers (not connected yet), it hands the cursor over in a promise.
  const cursor = await (UserModel.collection.find<UserFields>(
    { _id: { $in: ids.map((id) => new Types.ObjectId(id)) } },
    { projection: USER_FIELDS },
  ) as FindCursor<UserFields> | Promise<FindCursor<UserFields>>);
  return new Map((await cursor.toArray()).map((u) => [String(u._id), u]));
});

/** Reads the user; with `heldOnly`, a user whose held co-ops cannot serve comes back `fresh` without co-ops (not read). */
async function readUser(userId: string, membershipsOf: MembershipsOf, held?: HeldCoops, heldOnly = false): Promise<FoundUser | null> {
  if (!Types.ObjectId.isValid(userId)) return null;
  const user = await users.get(userId);
  if (!user || user.deletedAt) return null;
  const rightsVersion = user.rightsVersion ?? 0;
  // The user is read after the co-ops were, and every change of memberships (or of a member's
  // co-op status) bumps the version after writing: equal versions mean nothing changed since.
  const reuse = held && held.rightsVersion === rightsVersion && Date.now() - held.at < HELD_COOPS_MS;
  const current: CurrentUser = {
    id: String(user._id),
    email: user.email,
    name: user.name,
    isAdmin: !!user.isAdmin,
    locale: user.locale === 'en' ? 'en' : 'it',
    emailVerified: !!user.emailVerifiedAt,
    coops: reuse ? held.coops : heldOnly ? [] : await membershipsOf(String(user._id)),
    // A Map field is stored as a plain object.
    stamps: Object.freeze({ ...user.stamps }),
  };
  return { user: current, rightsVersion, sessionsEndedAt: user.sessionsEndedAt?.getTime() ?? 0, fresh: !reuse };
}

/**
 * Loads `req.user` from the session on every request, so a removed
 * membership, a revoked admin right or a deleted account takes effect on
 * the user's next request. A session whose user is gone is destroyed.
 *
 * The user document is read every time (one read by `_id`); the co-ops are
 * kept in the session with the rights version they were read at, and read
 * again only when the version moved (or after HELD_COOPS_MS). Rotating the
 * session on a version change writes the session anyway, so they ride along.
 *
 * The session itself may come from this process's memory (platform's
 * SessionCache). Such a copy is trusted only when it was taken well after
 * the user's sessions were last ended and carries the user's current rights
 * version; otherwise the store is asked again, so a session signed out,
 * reset or rotated in another process is never served on from a copy (nor
 * rotated into a new one).
 */
export const loadUser =
  (membershipsOf: MembershipsOf): RequestHandler =>
  async (req, res, next) => {
    const id = req.session?.userId;
    if (!id) return next();
    const heldSince = sessionHeldSince(req);
    const found = await readUser(id, membershipsOf, heldCoops(req.session));
    if (found && heldSince !== undefined && copyInDoubt(heldSince, req.session, found)) {
      // The copy may predate an ending: the store decides, and the user is loaded from what it has.
      if (!(await reloadSession(req)) || req.session.userId !== id) return signedOut(req, next);
      return loadUser(membershipsOf)(req, res, next);
    }
    if (!found) return signedOut(req, next);
    // Rights changed since this session last looked (role changed, removed, made admin):
    // the session gets a new id, so a copy of the old cookie no longer carries the new rights.
    const user = found.user;
    if (req.session.rightsVersion !== found.rightsVersion) await rotateUserSession(req, found.rightsVersion, user.coops);
    else if (found.fresh) Object.assign(req.session, { coops: user.coops, coopsAt: Date.now() });
    req.user = user;
    res.locals.user = user;
    // Pages that depend on who is signed in must not be cached by anyone else.
    res.set('Cache-Control', NO_STORE);
    next();
  };

/**
 * Whether a copy of the session held in memory since `heldSince` may be
 * out of date: it may predate an ending of the user's sessions, or was
 * taken at another rights version (the store has the rotated session).
 */
const copyInDoubt = (heldSince: number, session: Pick<SessionData, 'rightsVersion'>, found: FoundUser): boolean =>
  heldSince <= found.sessionsEndedAt + SESSIONS_ENDED_MARGIN_MS || session.rightsVersion !== found.rightsVersion;

/**
 * The user of a signed-in session this process holds in memory (held since
 * `heldSince`), for a page answered without the session middleware (the
 * front door): only when `loadUser`, given the same copy, would change
 * nothing (no reading of the store again, no rotation, no co-ops to read
 * again) and would only set the user. Undefined otherwise: the request goes
 * down the chain, where `loadUser` does what is needed. The user is read
 * from the database, as `loadUser` reads it on every request.
 */
export const userOfHeldSession =
  (membershipsOf: MembershipsOf) =>
  async (session: SessionContent, heldSince: number): Promise<CurrentUser | undefined> => {
    const id = session.userId;
    if (typeof id !== 'string') return undefined;
    const found = await readUser(id, membershipsOf, heldCoops(session), true);
    if (!found || found.fresh || copyInDoubt(heldSince, session, found)) return undefined;
    return found.user;
  };

/** The co-ops the session holds, with the rights version they were read at. */
function heldCoops(s: Readonly<Partial<SessionData>>): HeldCoops | undefined {
  return s.coops && s.coopsAt && s.rightsVersion !== undefined
    ? { rightsVersion: s.rightsVersion, coops: s.coops, at: s.coopsAt }
    : undefined;
}

/** The session's user is gone, or the session was ended elsewhere: the visitor goes on as a guest, with a new session id. */
async function signedOut(req: Request, next: (err?: unknown) => void): Promise<void> {
  await new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
  next();
}
