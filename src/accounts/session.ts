import type { Request, Response } from 'express';
import mongoose, { Types } from 'mongoose';
import { UserModel } from './user.model';
import { sessionCookieName } from '../platform/security';
import type { EventBus } from '../platform/events';
import './events';
import type { SessionData } from 'express-session';

/** What survives a rotation of the session id: the guest's cart and the chosen language. */
const CARRIED_OVER = ['cart', 'locale'] as const;

type Bag = Record<string, unknown>;

const regenerate = (req: Request) =>
  new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
const save = (req: Request) => new Promise<void>((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));

/**
 * Gives the session a new id, keeping what `keep` names. The old id stops
 * working at once, which defeats session fixation. The CSRF token is not
 * carried over: it belongs to the old session.
 */
async function rotate(req: Request, keep: readonly string[], set: Bag): Promise<void> {
  const old = req.session as unknown as Bag;
  const kept = Object.fromEntries(keep.filter((k) => old[k] !== undefined).map((k) => [k, old[k]]));
  await regenerate(req);
  Object.assign(req.session as unknown as Bag, kept, set);
  await save(req);
}

/**
 * Signs a user in: a new session id (never the one the visitor had before),
 * the guest's cart copied into it as it was, then `account.signed_in`.
 * A failing listener is logged and does not undo the sign-in.
 */
export async function startUserSession(req: Request, userId: string, rightsVersion: number, events: EventBus): Promise<void> {
  await rotate(req, CARRIED_OVER, { userId, rightsVersion, createdAt: Date.now() });
  try {
    await events.emit('account.signed_in', { req, userId });
  } catch (err) {
    (req as { log?: { warn(o: object, m: string): void } }).log?.warn({ err }, 'a sign-in listener failed');
  }
  if (req.session) await save(req);
}

/**
 * After the user's rights changed: a new session id, same user, same
 * absolute deadline. The CSRF token is kept here (unlike at sign-in, where
 * whoever planted the old session could know it), so forms the user has
 * open keep working.
 */
export async function rotateUserSession(req: Request, rightsVersion: number, coops: NonNullable<SessionData['coops']>): Promise<void> {
  await rotate(req, [...CARRIED_OVER, 'userId', 'createdAt', 'csrfToken'], { rightsVersion, coops, coopsAt: Date.now() });
}

/**
 * Before sessions of a user are ended: marked on the user first, so that a
 * process holding a copy of one (read before, or while, it is deleted)
 * reads the store again (see SESSIONS_ENDED_MARGIN_MS in current-user.ts).
 */
async function markSessionsEnded(userId: string): Promise<void> {
  if (!Types.ObjectId.isValid(userId)) return;
  await UserModel.updateOne({ _id: userId }, { $set: { sessionsEndedAt: new Date() } });
}

/** Signs out: the session is destroyed in the store and the cookie cleared. */
export async function endSession(req: Request, res: Response): Promise<void> {
  const secure = req.session.cookie.secure === true;
  if (req.session.userId) await markSessionsEnded(req.session.userId);
  await new Promise<void>((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
  res.clearCookie(sessionCookieName(secure), { path: '/', secure, httpOnly: true, sameSite: 'lax' });
  // The rest of this response (a page rendered after) sees a visitor.
  req.user = undefined;
  res.locals.user = null;
}

/**
 * Ends every session of a user in every app process (password reset,
 * account deletion). Sessions are stored unstringified by connect-mongo, so
 * `session.userId` is a plain field. Not an `_id` filter, so it may scan the
 * collection, but it is rare.
 */
export async function endAllSessionsOf(userId: string): Promise<void> {
  const db = mongoose.connection.db;
  if (!db) return;
  await markSessionsEnded(userId);
  await db.collection('sessions').deleteMany({ 'session.userId': userId });
}
