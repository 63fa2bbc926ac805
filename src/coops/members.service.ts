import { Types } from 'mongoose';
import type { Logger } from '../platform/logger';
import { sendTemplate, type Mailer } from '../platform/mail';
import type { Locale } from '../platform/i18n';
import { AppError, conflict, forbidden, notFound } from '../platform/errors';
import type { Job } from '../platform/jobs';
import {
  findUserByEmail,
  hashToken,
  looksLikeToken,
  markEmailVerified,
  newToken,
  rightsChanged,
  usersByIds,
  type CurrentUser,
} from '../accounts';
import { assertCoopRole } from './guards';
import { CoopModel } from './coop.model';
import { MembershipModel, type MemberRole } from './membership.model';
import { InvitationModel } from './invitation.model';
import { expiryJob } from '../platform/expiry';

export const INVITATION_TTL_MS = 7 * 24 * 3_600_000;

export const invitationsJob: Job = expiryJob({ name: 'invitations', model: InvitationModel, field: 'expiresAt', everyMs: 30 * 60_000 });

export interface MembersDeps {
  mailer: Mailer;
  logger: Logger;
  publicUrl: string;
}

/** Refuses a change that would leave the co-op without an owner. */
async function assertAnotherOwner(coopId: string, leaving: { role: string }): Promise<void> {
  if (leaving.role !== 'owner') return;
  const owners = await MembershipModel.countDocuments({ coop: coopId, role: 'owner' });
  if (owners <= 1) throw conflict('last_owner', 'A co-op needs at least one owner');
}

export function createMembersService(deps: MembersDeps) {
  /** The membership `membershipId` *of this co-op*; a membership elsewhere is not found. */
  async function membershipIn(coopId: string, membershipId: string) {
    const m = Types.ObjectId.isValid(membershipId) ? await MembershipModel.findById(membershipId).lean() : null;
    if (!m || String(m.coop) !== coopId) throw notFound('member_not_found', 'No such member in this co-op');
    return m;
  }

  return {
    /** Members of a co-op (any member may look) and, for owners, the pending invitations. */
    async list(actor: CurrentUser | undefined, coopId: string) {
      const me = assertCoopRole(actor, coopId, 'staff');
      const memberships = await MembershipModel.find({ coop: coopId }, { user: 1, role: 1, createdAt: 1 }).lean();
      const byId = await usersByIds(memberships.map((m) => m.user));
      const members = memberships
        .map((m) => ({
          id: String(m._id),
          userId: String(m.user),
          role: m.role as MemberRole,
          name: byId.get(String(m.user))?.name ?? '',
          email: byId.get(String(m.user))?.email ?? '',
        }))
        .sort((a, b) => a.name.localeCompare(b.name));
      const invitations =
        me.role === 'owner'
          ? (await InvitationModel.find({ coop: coopId }, { email: 1, role: 1, expiresAt: 1 }).lean())
              .filter((i) => i.expiresAt > new Date())
              .map((i) => ({ id: i._id, email: i.email, role: i.role, expiresAt: i.expiresAt }))
          : [];
      return { members, invitations, myRole: me.role };
    },

    /** An owner invites someone by email; the link in the mail is valid for a week. */
    async invite(
      actor: CurrentUser | undefined,
      coopId: string,
      input: { email: string; role: MemberRole },
      locale: Locale,
      /** The address the owner used (development opened at 127.0.0.1 or a LAN address), else the app's. */
      base = deps.publicUrl,
    ): Promise<void> {
      assertCoopRole(actor, coopId, 'owner');
      const existing = await findUserByEmail(input.email);
      if (existing && (await MembershipModel.exists({ coop: coopId, user: existing.id }))) {
        throw new AppError('already_member', 'Already a member', 422, { details: { email: 'members.errors.alreadyMember' } });
      }
      const coop = await CoopModel.findById(coopId, { name: 1 }).lean();
      if (!coop) throw notFound('coop_not_found');
      const { token, hash } = newToken();
      await InvitationModel.create({
        _id: hash,
        coop: coopId,
        email: input.email,
        role: input.role,
        invitedBy: actor!.id,
        expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
      });
      await sendTemplate(deps.mailer, {
        to: input.email,
        locale: existing?.locale === 'en' ? 'en' : existing ? 'it' : locale,
        template: 'accounts/invitation',
        subjectKey: 'members.emails.invitation.subject',
        data: { coop: coop.name, inviter: actor!.name, role: input.role, url: `${base}/invitations/${token}` },
      });
    },

    /** What a live invitation offers, to show before accepting; null when unknown or expired. */
    async peekInvitation(token: string) {
      if (!looksLikeToken(token)) return null;
      const inv = await InvitationModel.findById(hashToken(token)).lean();
      if (!inv || inv.expiresAt <= new Date()) return null;
      const coop = await CoopModel.findById(inv.coop, { name: 1, slug: 1 }).lean();
      return coop ? { email: inv.email, role: inv.role, coopName: coop.name, coopSlug: coop.slug } : null;
    },

    /**
     * Accepts an invitation once, as the signed-in user whose email it was
     * sent to. The delete by `_id` is the atomic once-only step; the
     * membership's unique (user, coop) index stops a double membership.
     */
    async accept(actor: CurrentUser | undefined, token: string): Promise<{ coopSlug: string }> {
      if (!actor) throw new AppError('login_required', 'Sign in first', 401);
      const inv = looksLikeToken(token) ? await InvitationModel.findById(hashToken(token)).lean() : null;
      if (!inv || inv.expiresAt <= new Date()) throw new AppError('invitation_invalid', 'Invitation unknown or expired', 410);
      if (inv.email !== actor.email) throw forbidden('invitation_other_email', 'This invitation was sent to another email');
      const used = await InvitationModel.deleteOne({ _id: inv._id });
      if (used.deletedCount !== 1) throw new AppError('invitation_invalid', 'Invitation already used', 410);
      try {
        await MembershipModel.create({ user: actor.id, coop: inv.coop, role: inv.role });
      } catch (e) {
        if ((e as { code?: number }).code === 11000) throw conflict('already_member', 'Already a member');
        throw e;
      }
      // Following the mailed link proves the address.
      await markEmailVerified(actor.id);
      await rightsChanged(actor.id);
      const coop = await CoopModel.findById(inv.coop, { slug: 1 }).lean();
      return { coopSlug: coop?.slug ?? '' };
    },

    /** An owner changes a member's role; the last owner cannot be demoted. */
    async changeRole(actor: CurrentUser | undefined, coopId: string, membershipId: string, role: MemberRole): Promise<void> {
      assertCoopRole(actor, coopId, 'owner');
      const m = await membershipIn(coopId, membershipId);
      if (m.role === role) return;
      if (role !== 'owner') await assertAnotherOwner(coopId, m);
      // Bumped before the write as well as after: should the process die between the write and the
      // second bump, sessions that had not read the user's co-ops since the first still read them again
      // (and the held co-ops are read again after HELD_COOPS_MS in any case).
      await rightsChanged(m.user);
      await MembershipModel.updateOne({ _id: m._id }, { $set: { role } });
      await rightsChanged(m.user);
    },

    /** An owner removes a member; it takes effect on the member's next request. */
    async remove(actor: CurrentUser | undefined, coopId: string, membershipId: string): Promise<void> {
      assertCoopRole(actor, coopId, 'owner');
      const m = await membershipIn(coopId, membershipId);
      await assertAnotherOwner(coopId, m);
      await rightsChanged(m.user); // before as well as after: see changeRole
      await MembershipModel.deleteOne({ _id: m._id });
      await rightsChanged(m.user);
    },

    /** An owner withdraws a pending invitation of this co-op. */
    async revokeInvitation(actor: CurrentUser | undefined, coopId: string, invitationId: string): Promise<void> {
      assertCoopRole(actor, coopId, 'owner');
      const r = await InvitationModel.deleteOne({ _id: invitationId, coop: coopId });
      if (r.deletedCount !== 1) throw notFound('invitation_not_found');
    },
  };
}

export type MembersService = ReturnType<typeof createMembersService>;
