import { Router, type Request, type Response } from 'express';
import type { CoreDeps } from '../platform/deps';
import { requireCoopRole } from './guards';
import { isAppError } from '../platform/errors';
import { flash } from '../platform/web';
import { fieldErrors } from '../platform/forms';
import { MEMBER_ROLES } from './membership.model';
import { createMembersService } from './members.service';
import { InvitationIdParam, InviteBody, MembershipIdParam, RoleBody } from './members.schemas';

/**
 * Co-op member management, at /workspace/:coopSlug/members. Any member sees
 * the list; only owners invite, change roles and remove. The guard answers
 * 404 to non-members and 403 to lower roles; the service checks again on
 * the membership itself (it must belong to this co-op).
 */
export function membersRoutes(deps: CoreDeps): Router {
  const router = Router();
  const service = createMembersService({ mailer: deps.mailer, logger: deps.logger, publicUrl: deps.config.publicUrl });
  const base = '/workspace/:coopSlug/members';
  const here = (req: Request) => `/workspace/${req.coop!.slug}/members`;

  const page = async (req: Request, res: Response, values: Record<string, unknown> = {}, errors: Record<string, string> = {}) => {
    const data = await service.list(req.user, req.coop!.id);
    res.status(Object.keys(errors).length ? 422 : 200).render('workspace/members', {
      title: req.t('members.title', { coop: req.coop!.name }),
      coop: req.coop,
      roles: MEMBER_ROLES,
      values: { role: 'staff', ...values },
      errors,
      ...data,
    });
  };

  router.get(base, requireCoopRole('staff'), (req, res) => page(req, res));

  router.post(`${base}/invite`, requireCoopRole('owner'), async (req, res) => {
    const parsed = InviteBody.safeParse(req.body ?? {});
    if (!parsed.success) {
      return page(req, res, req.body, fieldErrors(parsed.error, 'members.errors'));
    }
    try {
      await service.invite(req.user, req.coop!.id, parsed.data, req.locale, req.publicUrl);
    } catch (e) {
      if (isAppError(e) && e.code === 'already_member') return page(req, res, req.body, { email: 'members.errors.alreadyMember' });
      throw e;
    }
    flash(req, 'success', 'members.invited', { email: parsed.data.email });
    res.redirect(303, here(req));
  });

  router.post(`${base}/:membershipId/role`, requireCoopRole('owner'), async (req, res, next) => {
    const id = MembershipIdParam.safeParse(req.params.membershipId);
    const body = RoleBody.safeParse(req.body ?? {});
    if (!id.success) return next();
    if (!body.success) {
      flash(req, 'error', 'members.errors.role');
      return res.redirect(303, here(req));
    }
    try {
      await service.changeRole(req.user, req.coop!.id, id.data, body.data.role);
    } catch (e) {
      if (!(isAppError(e) && e.code === 'last_owner')) throw e;
      flash(req, 'error', 'members.errors.lastOwner');
      return res.redirect(303, here(req));
    }
    flash(req, 'success', 'members.roleChanged');
    res.redirect(303, here(req));
  });

  router.post(`${base}/:membershipId/remove`, requireCoopRole('owner'), async (req, res, next) => {
    const id = MembershipIdParam.safeParse(req.params.membershipId);
    if (!id.success) return next();
    try {
      await service.remove(req.user, req.coop!.id, id.data);
    } catch (e) {
      if (!(isAppError(e) && e.code === 'last_owner')) throw e;
      flash(req, 'error', 'members.errors.lastOwner');
      return res.redirect(303, here(req));
    }
    flash(req, 'success', 'members.removed');
    res.redirect(303, here(req));
  });

  router.post(`${base}/invitations/:invitationId/revoke`, requireCoopRole('owner'), async (req, res, next) => {
    const id = InvitationIdParam.safeParse(req.params.invitationId);
    if (!id.success) return next();
    await service.revokeInvitation(req.user, req.coop!.id, id.data);
    flash(req, 'success', 'members.invitationRevoked');
    res.redirect(303, here(req));
  });

  // Following an invitation link: shown to anyone holding it; accepting needs the invited account.
  router.get('/invitations/:token', async (req, res) => {
    const inv = await service.peekInvitation(req.params.token);
    res.set('Referrer-Policy', 'no-referrer');
    res.status(inv ? 200 : 410).render('workspace/members-invitation', {
      title: req.t('members.invitation.title'),
      inv,
      token: req.params.token,
      next: req.originalUrl,
      otherEmail: !!(inv && req.user && req.user.email !== inv.email),
    });
  });

  router.post('/invitations/:token', async (req, res) => {
    if (!req.user) return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
    const { coopSlug } = await service.accept(req.user, req.params.token);
    flash(req, 'success', 'members.invitation.accepted');
    res.redirect(303, `/workspace/${coopSlug}/members`);
  });

  return router;
}
