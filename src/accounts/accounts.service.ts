import { randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import type { Logger } from '../platform/logger';
import { sendTemplate, type Mailer } from '../platform/mail';
import type { Locale } from '../platform/i18n';
import { AppError, notFound } from '../platform/errors';
import { trusted } from '../platform/db';
import type { Job } from '../platform/jobs';
import type { EventBus } from '../platform/events';
import './events';
import { UserModel } from './user.model';
import { decoyHash, hashPassword, verifyPassword } from './password';
import { TOKEN_EXPIRY, consumeToken, issueToken, peekToken, revokeTokens } from './token.model';
import { expiryJob } from '../platform/expiry';
import { endAllSessionsOf } from './session';
import type { AddressInput, SignupInput } from './accounts.schemas';

export const VERIFY_TTL_MS = 48 * 3_600_000;
export const RESET_TTL_MS = 3_600_000;

export const accountTokensJob: Job = expiryJob(TOKEN_EXPIRY);

export interface AccountsDeps {
  mailer: Mailer;
  logger: Logger;
  publicUrl: string;
  /** Announces sign-ins and deletions to the features that hang on an account. */
  events: EventBus;
}

export interface SavedAddress extends AddressInput {
  id: string;
}

const toAddress = (a: { _id?: unknown } & Record<string, unknown>): SavedAddress => ({
  id: String(a._id),
  name: String(a.name ?? ''),
  line1: String(a.line1 ?? ''),
  line2: String(a.line2 ?? ''),
  postalCode: String(a.postalCode ?? ''),
  city: String(a.city ?? ''),
  province: String(a.province ?? ''),
  country: String(a.country ?? 'IT') as SavedAddress['country'],
  phone: String(a.phone ?? ''),
});

/**
 * One saved shipping address of a user; null when the id is not one of
 * *this* user's addresses (so another user's address id gives nothing).
 */
export async function getAddress(userId: string, addressId: string): Promise<SavedAddress | null> {
  if (!Types.ObjectId.isValid(userId) || !Types.ObjectId.isValid(addressId)) return null;
  const user = await UserModel.findById(userId, { addresses: 1, deletedAt: 1 }).lean();
  if (!user || user.deletedAt) return null;
  const a = user.addresses.find((x) => String(x._id) === String(addressId));
  return a ? toAddress(a as unknown as Record<string, unknown>) : null;
}

/** Every saved address of a user, oldest first. */
export async function listAddresses(userId: string): Promise<SavedAddress[]> {
  const user = await UserModel.findById(userId, { addresses: 1 }).lean();
  return (user?.addresses ?? []).map((a) => toAddress(a as unknown as Record<string, unknown>));
}

/** Creates a user directly (scripts, seeds and tests); the sign-up form goes through `signUp`. */
export async function createUser(input: {
  name: string;
  email: string;
  password: string;
  verified?: boolean;
  isAdmin?: boolean;
  locale?: Locale;
}) {
  const now = new Date();
  return UserModel.create({
    name: input.name,
    email: input.email.trim().toLowerCase(),
    passwordHash: await hashPassword(input.password),
    emailVerifiedAt: input.verified === false ? undefined : now,
    acceptedTermsAt: now,
    isAdmin: !!input.isAdmin,
    locale: input.locale ?? 'it',
  });
}

/**
 * After a user's rights changed (a role given or taken, a co-op of theirs
 * approved or paused): their sessions rotate and read their co-ops again on
 * the next request. Call it after the change is written.
 */
export async function rightsChanged(userIds: string | Types.ObjectId | readonly (string | Types.ObjectId)[]): Promise<void> {
  const ids = (Array.isArray(userIds) ? userIds : [userIds]).map((id) => new Types.ObjectId(String(id)));
  if (ids.length === 1) await UserModel.updateOne({ _id: ids[0] }, { $inc: { rightsVersion: 1 } });
  else if (ids.length > 1) await UserModel.updateMany({ _id: trusted({ $in: ids }) }, { $inc: { rightsVersion: 1 } });
}

/**
 * Moves the user's stamp `name`: what another feature keeps per user in
 * memory under that name is out of date in every process (each reads the
 * stamp with the user on every request: `req.user.stamps`). Call it after
 * the write it announces.
 */
export async function stampUser(userId: string, name: string): Promise<void> {
  if (!/^[a-z]+$/.test(name)) throw new Error(`Not a stamp name: ${name}`);
  if (!Types.ObjectId.isValid(userId)) return;
  await UserModel.updateOne({ _id: userId }, { $set: { [`stamps.${name}`]: randomUUID() } });
}

/** Names and e-mails of these users, by id (missing ones are left out). */
export async function usersByIds(ids: readonly (string | Types.ObjectId)[]): Promise<Map<string, { name: string; email: string }>> {
  if (ids.length === 0) return new Map();
  const users = await UserModel.find(
    { _id: trusted({ $in: ids.map((id) => new Types.ObjectId(String(id))) }) },
    { name: 1, email: 1 },
  ).lean();
  return new Map(users.map((u) => [String(u._id), { name: u.name, email: u.email }]));
}

/** The account registered with this e-mail, if any. */
export async function findUserByEmail(email: string): Promise<{ id: string; locale: Locale } | null> {
  const u = await UserModel.findOne({ email: String(email) }, { _id: 1, locale: 1 }).lean();
  return u ? { id: String(u._id), locale: u.locale === 'en' ? 'en' : 'it' } : null;
}

/** Following a link sent to the address proves it: marks it verified if it was not. */
export async function markEmailVerified(userId: string): Promise<void> {
  await UserModel.updateOne({ _id: userId, emailVerifiedAt: null }, { $set: { emailVerifiedAt: new Date() } });
}

export function createAccountsService(deps: AccountsDeps) {
  // `base`: the address the visitor used (development opened at 127.0.0.1 or a LAN address), else the app's.
  const link = (path: string, base = deps.publicUrl) => `${base}${path}`;

  /**
   * Mail is sent without making the visitor wait, so an answer takes as
   * long whether or not a mail went out (known and unknown emails look alike).
   */
  const deliver = (p: Promise<void>) => {
    p.catch((err: unknown) => deps.logger.error({ err }, 'could not send an account mail'));
  };

  async function sendVerification(
    user: { _id: Types.ObjectId | string; email: string; name: string; locale?: string | null },
    base?: string,
  ) {
    const token = await issueToken('verify', user._id, VERIFY_TTL_MS);
    const locale: Locale = user.locale === 'en' ? 'en' : 'it';
    await sendTemplate(deps.mailer, {
      to: user.email,
      locale,
      template: 'accounts/verify',
      subjectKey: 'accounts.emails.verify.subject',
      data: { name: user.name, url: link(`/verify/${token}`, base) },
    });
  }

  return {
    /**
     * Signs up a consumer. The answer is the same whether the email is new
     * or taken: a new address gets a verification link, a taken one a note
     * saying someone tried to sign up (with a link to reset the password).
     */
    async signUp(input: SignupInput, locale: Locale, base?: string): Promise<void> {
      const existing = await UserModel.findOne({ email: input.email }, { _id: 1, name: 1, locale: 1 }).lean();
      const passwordHash = await hashPassword(input.password); // hashed either way: same timing
      if (existing) {
        deliver(
          sendTemplate(deps.mailer, {
            to: input.email,
            locale: existing.locale === 'en' ? 'en' : 'it',
            template: 'accounts/signup-exists',
            subjectKey: 'accounts.emails.signupExists.subject',
            data: { name: existing.name, loginUrl: link('/login', base), resetUrl: link('/password/forgot', base) },
          }),
        );
        return;
      }
      let user;
      try {
        user = await UserModel.create({ name: input.name, email: input.email, passwordHash, locale, acceptedTermsAt: new Date() });
      } catch (e) {
        if ((e as { code?: number }).code === 11000) return; // signed up a moment ago by a concurrent request
        throw e;
      }
      deliver(sendVerification(user, base));
    },

    /** Uses a verification link once; returns false when it is unknown, used or expired. */
    async verifyEmail(token: string): Promise<boolean> {
      const t = await consumeToken('verify', token);
      if (!t) return false;
      await UserModel.updateOne({ _id: t.user, emailVerifiedAt: null }, { $set: { emailVerifiedAt: new Date() } });
      return true;
    },

    /** Sends a fresh verification link to a signed-in user who has not verified yet. */
    async resendVerification(userId: string, base?: string): Promise<void> {
      const user = await UserModel.findById(userId, { email: 1, name: 1, locale: 1, emailVerifiedAt: 1 }).lean();
      if (!user || user.emailVerifiedAt) return;
      await revokeTokens(userId, 'verify');
      deliver(sendVerification(user, base));
    },

    /**
     * Checks an email and password. An unknown email is verified against a
     * decoy hash, so both failures take as long and look the same. A deleted
     * account has an anonymised email and no usable password.
     */
    async authenticate(email: string, password: string): Promise<{ id: string; rightsVersion: number } | null> {
      const user = await UserModel.findOne({ email }, { passwordHash: 1, deletedAt: 1, rightsVersion: 1 }).lean();
      const ok = await verifyPassword(user?.passwordHash ?? (await decoyHash()), password);
      if (!user || !ok || user.deletedAt) return null;
      return { id: String(user._id), rightsVersion: user.rightsVersion ?? 0 };
    },

    /** Mails a one-hour, single-use reset link when the email belongs to an account; silent otherwise. */
    async requestPasswordReset(email: string, base?: string): Promise<void> {
      const user = await UserModel.findOne({ email }, { email: 1, name: 1, locale: 1, deletedAt: 1 }).lean();
      if (!user || user.deletedAt) return;
      const token = await issueToken('reset', user._id, RESET_TTL_MS);
      deliver(
        sendTemplate(deps.mailer, {
          to: user.email,
          locale: user.locale === 'en' ? 'en' : 'it',
          template: 'accounts/reset',
          subjectKey: 'accounts.emails.reset.subject',
          data: { name: user.name, url: link(`/password/reset/${token}`, base) },
        }),
      );
    },

    /** True when a reset link can still be used (to show its form). */
    resetTokenIsLive: async (token: string): Promise<boolean> => !!(await peekToken('reset', token)),

    /**
     * Sets a new password with a reset token, once. Every session of the user
     * ends (whoever knew the old password is signed out) and other reset
     * links stop working. Following the mailed link also proves the email.
     */
    async resetPassword(token: string, password: string): Promise<boolean> {
      const t = await consumeToken('reset', token);
      if (!t) return false;
      const user = await UserModel.findById(t.user);
      if (!user || user.deletedAt) return false;
      user.passwordHash = await hashPassword(password);
      user.emailVerifiedAt ??= new Date();
      user.rightsVersion = (user.rightsVersion ?? 0) + 1;
      await user.save();
      await Promise.all([revokeTokens(t.user, 'reset'), endAllSessionsOf(t.user)]);
      return true;
    },

    async updateProfile(userId: string, input: { name: string; locale: Locale }): Promise<void> {
      await UserModel.updateOne({ _id: userId }, { $set: { name: input.name, locale: input.locale } });
    },

    async addAddress(userId: string, input: AddressInput): Promise<void> {
      const user = await UserModel.findById(userId);
      if (!user) throw notFound('user_not_found');
      if (user.addresses.length >= 10) throw new AppError('too_many_addresses', 'At most 10 addresses', 422);
      user.addresses.push({ ...input, label: '' });
      await user.save();
    },

    /** Changes one of the user's own addresses; another user's address id is not found. */
    async updateAddress(userId: string, addressId: string, input: AddressInput): Promise<void> {
      const user = await UserModel.findById(userId);
      const a = user?.addresses.find((x) => String(x._id) === addressId);
      if (!user || !a) throw notFound('address_not_found', 'No such address');
      a.set(input);
      await user.save();
    },

    async removeAddress(userId: string, addressId: string): Promise<void> {
      const user = await UserModel.findById(userId);
      const a = user?.addresses.find((x) => String(x._id) === addressId);
      if (!user || !a) throw notFound('address_not_found', 'No such address');
      // A whole-array $set: the update `.pull()` + save() sends is outside the subset we use (platform/db.ts; seen in the test).
      await UserModel.updateOne({ _id: user._id }, { $set: { addresses: user.addresses.filter((x) => x !== a).map((x) => x.toObject()) } });
    },

    /**
     * Deletes an account: the password is asked again; the user document is
     * kept only as an anonymised stub (so order references stay valid,
     * while orders keep their own buyer snapshots), memberships, tokens and
     * sessions go. The last owner of a co-op must hand it over first.
     */
    async deleteAccount(userId: string, password: string): Promise<void> {
      const user = await UserModel.findById(userId);
      if (!user || user.deletedAt) throw notFound('user_not_found');
      if (!(await verifyPassword(user.passwordHash, password)))
        throw new AppError('wrong_password', 'Wrong password', 422, { details: { password: 'accounts.errors.wrongPassword' } });
      // A feature may refuse (the last owner of a co-op must hand it over first).
      await deps.events.emit('account.deleting', { userId });
      user.set({
        email: `deleted-${String(user._id)}@deleted.invalid`,
        name: '—',
        passwordHash: '!',
        addresses: [],
        emailVerifiedAt: undefined,
        isAdmin: false,
        deletedAt: new Date(),
        rightsVersion: (user.rightsVersion ?? 0) + 1,
      });
      await user.save();
      await Promise.all([revokeTokens(userId), endAllSessionsOf(userId)]);
      await deps.events.emit('account.deleted', { userId });
    },
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;
