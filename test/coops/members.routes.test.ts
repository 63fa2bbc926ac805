import type { Express } from 'express';
import assert from 'node:assert/strict';
import express from 'express';
import mongoose from 'mongoose';
import request from 'supertest';
import { csrfFrom, testConfig } from '../support/app';
import { appWithSmtp, linkIn, type TestSmtp } from '../support/smtp';
import { createLogger } from '../../src/platform/logger';
import { MembershipModel, type MemberRole } from '../../src/coops/membership.model';
import { InvitationModel } from '../../src/coops/invitation.model';
import { UserModel } from '../../src/accounts/user.model';
import { requireAdmin } from '../../src/accounts/guards';
import { loadUser } from '../../src/accounts/current-user';
import { membershipsOf } from '../../src/coops';
import { sessions } from '../../src/platform/security';
import { errorHandler } from '../../src/platform/web';
import { client, freshEmail, logIn, sessionIdOf, suffix, tokenOf, type Agent } from '../accounts/helpers';
import { makeCoop, makeUser } from '../support/factories';

async function member(coopId: string, role: MemberRole) {
  const u = await makeUser({ name: `${role} ${suffix()}` });
  const m = await MembershipModel.create({ user: u.id, coop: coopId, role });
  return { ...u, membershipId: String(m._id) };
}

describe('co-op members routes', () => {
  let smtp: TestSmtp;
  let app: Express;
  before(async () => {
    ({ app, smtp } = await appWithSmtp());
  });
  after(() => smtp.stop());

  async function signedIn(u: { email: string }): Promise<Agent> {
    const b = client(app);
    await logIn(b, u.email);
    return b;
  }

  describe('GET /workspace/:coopSlug/members', () => {
    it('lists the members to any member, with owner actions only for owners', async () => {
      const coop = await makeCoop();
      const owner = await member(coop.id, 'owner');
      const staff = await member(coop.id, 'staff');
      const asOwner = await (await signedIn(owner)).get(`/workspace/${coop.slug}/members`).expect(200);
      assert.match(asOwner.text, new RegExp(staff.email.replace(/[.]/g, '\\.')));
      assert.match(asOwner.text, /\/invite"/);
      const asStaff = await (await signedIn(staff)).get(`/workspace/${coop.slug}/members`).expect(200);
      assert.doesNotMatch(asStaff.text, /\/invite"/);
    });

    it('is 404 for a member of another co-op and sends visitors to the login page', async () => {
      const a = await makeCoop();
      const b = await makeCoop();
      const ownerA = await member(a.id, 'owner');
      await member(b.id, 'owner');
      await (await signedIn(ownerA)).get(`/workspace/${b.slug}/members`).expect(404);
      const res = await client(app).get(`/workspace/${b.slug}/members`).expect(303);
      assert.equal(res.headers.location, `/login?next=${encodeURIComponent(`/workspace/${b.slug}/members`)}`);
    });
  });

  describe('invitations', () => {
    it('mails a link that the invited account accepts once, becoming a member', async () => {
      const coop = await makeCoop();
      const owner = await member(coop.id, 'owner');
      const invited = await makeUser({ email: freshEmail('invited') });
      const ob = await signedIn(owner);
      const csrf = await tokenOf(ob, `/workspace/${coop.slug}/members`);
      await ob
        .post(`/workspace/${coop.slug}/members/invite`)
        .type('form')
        .send({ _csrf: csrf, email: invited.email, role: 'manager' })
        .expect(303);
      const link = linkIn(await smtp.waitFor(invited.email), '/invitations/');

      // Someone else signed in cannot use it.
      const stranger = await signedIn(await makeUser());
      const seen = await stranger.get(link).expect(200);
      assert.doesNotMatch(seen.text, /action="\/invitations\//);
      await stranger
        .post(link)
        .type('form')
        .send({ _csrf: csrfFrom(seen.text) })
        .expect(403);

      const ib = await signedIn(invited);
      const page = await ib.get(link).expect(200);
      await ib
        .post(link)
        .type('form')
        .send({ _csrf: csrfFrom(page.text) })
        .expect(303);
      const m = await MembershipModel.findOne({ user: invited.id, coop: coop.id }).lean();
      assert.equal(m?.role, 'manager');
      await ib.get(`/workspace/${coop.slug}/members`).expect(200);
      // Used once.
      await ib
        .post(link)
        .type('form')
        .send({ _csrf: csrfFrom(page.text) })
        .expect(410);
      assert.equal(await InvitationModel.countDocuments({ coop: coop.id }), 0);
    });

    it('refuses an invalid email with 422 and the input', async () => {
      const coop = await makeCoop();
      const ob = await signedIn(await member(coop.id, 'owner'));
      const csrf = await tokenOf(ob, `/workspace/${coop.slug}/members`);
      const res = await ob
        .post(`/workspace/${coop.slug}/members/invite`)
        .type('form')
        .send({ _csrf: csrf, email: 'nope', role: 'staff' })
        .expect(422);
      assert.match(res.text, /id="invite-email"[^>]*aria-invalid="true"/);
    });
  });

  describe('owner actions', () => {
    it('are 403 for staff and managers, and change nothing', async () => {
      const coop = await makeCoop();
      const owner = await member(coop.id, 'owner');
      for (const role of ['staff', 'manager'] as const) {
        const actor = await member(coop.id, role);
        const b = await signedIn(actor);
        const csrf = await tokenOf(b, `/workspace/${coop.slug}/members`);
        await b.post(`/workspace/${coop.slug}/members/${owner.membershipId}/remove`).type('form').send({ _csrf: csrf }).expect(403);
        await b
          .post(`/workspace/${coop.slug}/members/${actor.membershipId}/role`)
          .type('form')
          .send({ _csrf: csrf, role: 'owner' })
          .expect(403);
        await b
          .post(`/workspace/${coop.slug}/members/invite`)
          .type('form')
          .send({ _csrf: csrf, email: freshEmail(), role: 'owner' })
          .expect(403);
        assert.equal((await MembershipModel.findById(actor.membershipId).lean())?.role, role);
      }
      assert.ok(await MembershipModel.findById(owner.membershipId).lean());
    });

    it('cannot reach a membership of another co-op through their own (404)', async () => {
      const a = await makeCoop();
      const b = await makeCoop();
      const ownerA = await member(a.id, 'owner');
      const staffB = await member(b.id, 'staff');
      const ob = await signedIn(ownerA);
      const csrf = await tokenOf(ob, `/workspace/${a.slug}/members`);
      await ob.post(`/workspace/${a.slug}/members/${staffB.membershipId}/remove`).type('form').send({ _csrf: csrf }).expect(404);
      await ob.post(`/workspace/${b.slug}/members/${staffB.membershipId}/remove`).type('form').send({ _csrf: csrf }).expect(404);
      assert.ok(await MembershipModel.findById(staffB.membershipId).lean());
    });

    it('keep at least one owner', async () => {
      const coop = await makeCoop();
      const owner = await member(coop.id, 'owner');
      const ob = await signedIn(owner);
      const csrf = await tokenOf(ob, `/workspace/${coop.slug}/members`);
      await ob
        .post(`/workspace/${coop.slug}/members/${owner.membershipId}/role`)
        .type('form')
        .send({ _csrf: csrf, role: 'staff' })
        .expect(303);
      await ob.post(`/workspace/${coop.slug}/members/${owner.membershipId}/remove`).type('form').send({ _csrf: csrf }).expect(303);
      assert.equal((await MembershipModel.findById(owner.membershipId).lean())?.role, 'owner');
    });

    it('change a role, which rotates the member session id on its next request', async () => {
      const coop = await makeCoop();
      const owner = await member(coop.id, 'owner');
      const staff = await member(coop.id, 'staff');
      const sb = await signedIn(staff);
      const before = await sb.get('/account').expect(200);
      const ob = await signedIn(owner);
      const csrf = await tokenOf(ob, `/workspace/${coop.slug}/members`);
      await ob
        .post(`/workspace/${coop.slug}/members/${staff.membershipId}/role`)
        .type('form')
        .send({ _csrf: csrf, role: 'manager', isAdmin: 'true' })
        .expect(303);
      assert.equal((await MembershipModel.findById(staff.membershipId).lean())?.role, 'manager');
      assert.equal((await UserModel.findById(staff.id).lean())?.isAdmin, false);
      const after = await sb.get('/account').expect(200);
      assert.ok(sessionIdOf(before));
      assert.ok(sessionIdOf(after));
      assert.notEqual(sessionIdOf(after), sessionIdOf(before), 'a new session id after the change');
      // The old id is gone from the store: a copy of the old cookie is worth nothing.
      assert.equal(await mongoose.connection.db!.collection('sessions').countDocuments({ _id: sessionIdOf(before) as never }), 0);
    });

    it('remove a member, whose live session loses the workspace on its next request', async () => {
      const coop = await makeCoop();
      const owner = await member(coop.id, 'owner');
      const staff = await member(coop.id, 'staff');
      const sb = await signedIn(staff);
      await sb.get(`/workspace/${coop.slug}/members`).expect(200);
      const ob = await signedIn(owner);
      const csrf = await tokenOf(ob, `/workspace/${coop.slug}/members`);
      await ob.post(`/workspace/${coop.slug}/members/${staff.membershipId}/remove`).type('form').send({ _csrf: csrf }).expect(303);
      await sb.get(`/workspace/${coop.slug}/members`).expect(404);
      await sb.get('/account').expect(200);
    });
  });
});

describe('requireAdmin', () => {
  // There are no admin pages of this feature: the guard is tried on a tiny app with the real session and user loading.
  let app: Express;
  before(() => {
    const a = express();
    a.set('trust proxy', 'loopback');
    a.use(express.urlencoded({ extended: false }));
    a.use(sessions(testConfig()));
    a.post('/as/:id', (req, res) => {
      req.session.userId = req.params.id;
      res.send('ok');
    });
    a.use(loadUser(membershipsOf));
    a.get('/admin-only', requireAdmin, (_req, res) => res.send('secret'));
    a.use(errorHandler(createLogger('silent', false)));
    app = a;
  });

  for (const [who, isAdmin, status] of [
    ['a consumer', false, 403],
    ['an admin', true, 200],
  ] as const) {
    it(`answers ${status} to ${who}`, async () => {
      const u = await makeUser({ isAdmin });
      const agent = request.agent(app);
      await agent.post(`/as/${u.id}`).expect(200);
      await agent.get('/admin-only').set('Accept', 'application/json').expect(status);
    });
  }

  it('answers 401 (JSON) to a visitor', async () => {
    await request(app).get('/admin-only').set('Accept', 'application/json').expect(401);
  });
});
