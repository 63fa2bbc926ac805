import mongoose, { Schema } from 'mongoose';
import { deleteExpired, type Expiry } from '../platform/expiry';
import { createHash, randomBytes } from 'node:crypto';

export const TOKEN_KINDS = ['verify', 'reset'] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

interface AccountToken {
  /** sha256 of the token sent by mail: the database never holds a usable token. */
  _id: string;
  kind: TokenKind;
  user: mongoose.Types.ObjectId;
  expiresAt: Date;
}

// Small documents addressed by `_id` alone (the one lookup sure to reach an index).
// Expired tokens are deleted by the expiry seam's job (TOKEN_EXPIRY below).
export const AccountTokenModel = mongoose.model<AccountToken>(
  'AccountToken',
  new Schema<AccountToken>(
    {
      _id: String,
      kind: { type: String, enum: TOKEN_KINDS, required: true },
      user: { type: Schema.Types.ObjectId, ref: 'User', required: true },
      expiresAt: { type: Date, required: true },
    },
    { versionKey: false, collection: 'account_tokens' },
  ),
);

/** sha256 of a mailed token, in hex: what we store and look up. */
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** A fresh random token (256 bits, URL-safe) and its hash. */
export function newToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

/** Tokens are 43 URL-safe characters; anything else is not worth a database lookup. */
export const looksLikeToken = (v: unknown): v is string => typeof v === 'string' && /^[\w-]{43}$/.test(v);

/** Issues a token of `kind` for `userId`, valid for `ttlMs`. Returns the plain token (for the mail only). */
export async function issueToken(
  kind: TokenKind,
  userId: mongoose.Types.ObjectId | string,
  ttlMs: number,
  now = new Date(),
): Promise<string> {
  const { token, hash } = newToken();
  await AccountTokenModel.create({ _id: hash, kind, user: userId, expiresAt: new Date(now.getTime() + ttlMs) });
  return token;
}

/** The live token of `kind`, without using it (to show a form); null when unknown or expired. */
export async function peekToken(kind: TokenKind, token: unknown, now = new Date()): Promise<{ user: string } | null> {
  if (!looksLikeToken(token)) return null;
  const doc = await AccountTokenModel.findById(hashToken(token)).lean();
  if (!doc || doc.kind !== kind || doc.expiresAt <= now) return null;
  return { user: String(doc.user) };
}

/**
 * Uses a token once. The delete by `_id` is atomic per document
 * (platform/db.ts), so of two concurrent uses exactly one sees
 * `deletedCount === 1`; the other gets null.
 */
export async function consumeToken(kind: TokenKind, token: unknown, now = new Date()): Promise<{ user: string } | null> {
  const live = await peekToken(kind, token, now);
  if (!live) return null;
  const r = await AccountTokenModel.deleteOne({ _id: hashToken(token as string) });
  return r.deletedCount === 1 ? live : null;
}

/** Removes every token of a user (of one kind, or all). */
export async function revokeTokens(userId: string, kind?: TokenKind): Promise<void> {
  await AccountTokenModel.deleteMany(kind ? { user: userId, kind } : { user: userId });
}

/** Expired tokens go through the expiry seam (platform/expiry.ts). */
export const TOKEN_EXPIRY: Expiry = { name: 'account-tokens', model: AccountTokenModel, field: 'expiresAt', everyMs: 10 * 60_000 };

/** Deletes expired tokens now (the job does it every ten minutes). */
export const sweepExpiredTokens = (now = new Date()): Promise<number> => deleteExpired(TOKEN_EXPIRY, now);
