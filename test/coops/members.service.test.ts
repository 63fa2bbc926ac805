import assert from 'node:assert/strict';
import { createMembersService } from '../../src/coops/members.service';
import { MembershipModel, type MemberRole } from '../../src/coops/membership.model';
import { InvitationModel } from '../../src/coops/invitation.model';
import { loadCurrentUser } from '../../src/accounts';
import { membershipsOf } from '../../src/coops';
import { createLogger } from '../../src/platform/logger';
import { MemoryMailer } from '../support/app';
import { makeCoop, makeUser } from '../support/factories';

describe('members service', () => {
  const mailer = new MemoryMailer();
  const service = createMembersService({ mailer, logger: createLogger('silent', false), publicUrl: 'http://shop.test' });

  /** A co-op whose owner invited a fresh user; returns the token from the mail. */
  async function invitation(role: MemberRole) {
    const coop = await makeCoop();
    const owner = await makeUser();
    await MembershipModel.create({ user: owner.id, coop: coop._id, role: 'owner' });
    const invited = await makeUser();
    await service.invite((await loadCurrentUser(owner.id, membershipsOf))!, String(coop._id), { email: invited.email, role }, 'it');
    const token = /\/invitations\/([\w-]{43})/.exec(mailer.sent.find((m) => m.to === invited.email)!.text)![1]!;
    return { coopId: coop._id, invited: (await loadCurrentUser(invited.id, membershipsOf))!, token };
  }

  describe('accept', () => {
    it('makes one membership when the same link is used twice at once', async () => {
      const { coopId, invited, token } = await invitation('staff');
      const results = await Promise.allSettled([
        service.accept(invited, token),
        service.accept(invited, token),
        service.accept(invited, token),
      ]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      assert.equal(await MembershipModel.countDocuments({ user: invited.id, coop: coopId }), 1);
      assert.equal(await InvitationModel.countDocuments({ coop: coopId }), 0);
    });

    it('refuses an expired invitation', async () => {
      const { coopId, invited, token } = await invitation('manager');
      await InvitationModel.updateMany({ coop: coopId }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
      await assert.rejects(service.accept(invited, token), { code: 'invitation_invalid' });
    });
  });
});
