import assert from 'node:assert/strict';
import { createMembersService } from '../../src/coops/members.service';
import { CoopModel } from '../../src/coops/coop.model';
import { MembershipModel } from '../../src/coops/membership.model';
import { InvitationModel } from '../../src/coops/invitation.model';
import { loadCurrentUser } from '../../src/accounts';
import { createLogger } from '../../src/platform/logger';
import { MemoryMailer } from '../support/app';
import { makeUser, suffix } from '../accounts/helpers';

describe('members service', () => {
  const mailer = new MemoryMailer();
  const service = createMembersService({ mailer, logger: createLogger('silent', false), publicUrl: 'http://shop.test' });

  describe('accept', () => {
    it('makes one membership when the same link is used twice at once', async () => {
      const coop = await CoopModel.create({ name: 'C', slug: `c-${suffix()}`, kind: 'craft', region: 'Lazio', town: 'Roma' });
      const owner = await makeUser();
      await MembershipModel.create({ user: owner.id, coop: coop._id, role: 'owner' });
      const invited = await makeUser();
      await service.invite((await loadCurrentUser(owner.id))!, String(coop._id), { email: invited.email, role: 'staff' }, 'it');
      const mail = mailer.sent.find((m) => m.to === invited.email)!;
      const token = /\/invitations\/([\w-]{43})/.exec(mail.text)![1]!;
      const actor = (await loadCurrentUser(invited.id))!;
      const results = await Promise.allSettled([service.accept(actor, token), service.accept(actor, token), service.accept(actor, token)]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      assert.equal(await MembershipModel.countDocuments({ user: invited.id, coop: coop._id }), 1);
      assert.equal(await InvitationModel.countDocuments({ coop: coop._id }), 0);
    });

    it('refuses an expired invitation', async () => {
      const coop = await CoopModel.create({ name: 'C', slug: `c-${suffix()}`, kind: 'craft', region: 'Lazio', town: 'Roma' });
      const owner = await makeUser();
      await MembershipModel.create({ user: owner.id, coop: coop._id, role: 'owner' });
      const invited = await makeUser();
      await service.invite((await loadCurrentUser(owner.id))!, String(coop._id), { email: invited.email, role: 'manager' }, 'en');
      const token = /\/invitations\/([\w-]{43})/.exec(mailer.sent.find((m) => m.to === invited.email)!.text)![1]!;
      await InvitationModel.updateMany({ coop: coop._id }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
      await assert.rejects(service.accept((await loadCurrentUser(invited.id))!, token), { code: 'invitation_invalid' });
    });
  });
});
