import type { Express } from 'express';
import assert from 'node:assert/strict';
import request from 'supertest';
import { buildApp, csrfFrom } from '../support/app';
import { CoopModel } from '../../src/coops/coop.model';
import { AuditEntryModel } from '../../src/platform/audit.model';
import { CommissionRateModel } from '../../src/payouts/commission.model';
import { signedIn } from './helpers';
import { catalogChanged, getPurchasable } from '../../src/catalog';
import { makeCoop, makeUser, makeProduct } from '../support/factories';

describe('admin pages', () => {
  let app: Express;
  let services: ReturnType<typeof buildApp>['services'];
  before(() => {
    ({ app, services } = buildApp());
  });

  describe('GET /admin and its pages', () => {
    const pages = ['/admin', '/admin/coops', '/admin/commission', '/admin/audit'];

    describe('as a guest', () => {
      it('sends to the login page', async () => {
        for (const p of pages) {
          const res = await request(app).get(p).expect(303);
          assert.match(String(res.headers.location), /^\/login\?next=/);
        }
      });
    });

    describe('as a signed-in non-admin', () => {
      it('responds 403', async () => {
        const user = await makeUser();
        const agent = await signedIn(app, user.id);
        for (const p of pages) await agent.get(p).expect(403);
      });
    });

    describe('as an admin', () => {
      it('shows each page', async () => {
        const admin = await makeUser({ isAdmin: true });
        const agent = await signedIn(app, admin.id);
        for (const p of pages) {
          const res = await agent.get(p).expect(200);
          assert.doesNotMatch(res.text, /<script(?![^>]*\bsrc=)[^>]*>/);
        }
      });
    });
  });

  describe('GET /admin', () => {
    it('shows the week-by-week charts as SVG with the figures in a table, and the co-ops waiting', async () => {
      const admin = await makeUser({ isAdmin: true });
      const coop = await makeCoop({ status: 'pending' });
      const agent = await signedIn(app, admin.id);
      const res = await agent.get('/admin').expect(200);
      assert.equal((res.text.match(/<svg role="img" aria-labelledby="chart-[a-z]+-t"/g) ?? []).length, 2);
      assert.match(res.text, /<caption>[^<]+<\/caption>\s*<thead><tr><th scope="col">/);
      assert.equal((res.text.match(/<th scope="row">/g) ?? []).length, 8);
      assert.match(res.text, new RegExp(`href="/admin/coops/${coop.id}"`));
    });
  });

  describe('POST /admin/coops/:id/approve', () => {
    describe('without the confirmation', () => {
      it('responds 422 and leaves the co-op pending', async () => {
        const admin = await makeUser({ isAdmin: true });
        const coop = await makeCoop({ status: 'pending' });
        const agent = await signedIn(app, admin.id);
        const page = await agent.get(`/admin/coops/${coop.id}`).expect(200);
        const res = await agent
          .post(`/admin/coops/${coop.id}/approve`)
          .type('form')
          .send({ _csrf: csrfFrom(page.text) })
          .expect(422);
        assert.match(res.text, /aria-invalid="true"/);
        assert.equal((await CoopModel.findById(coop.id).lean())!.status, 'pending');
      });
    });

    describe('without a CSRF token', () => {
      it('responds 403', async () => {
        const admin = await makeUser({ isAdmin: true });
        const coop = await makeCoop({ status: 'pending' });
        const agent = await signedIn(app, admin.id);
        await agent.get(`/admin/coops/${coop.id}`).expect(200);
        await agent.post(`/admin/coops/${coop.id}/approve`).type('form').send({ confirm: 'yes' }).expect(403);
        assert.equal((await CoopModel.findById(coop.id).lean())!.status, 'pending');
      });
    });

    describe('confirmed', () => {
      it('approves the co-op and writes the audit log', async () => {
        const admin = await makeUser({ isAdmin: true });
        const coop = await makeCoop({ status: 'pending' });
        const agent = await signedIn(app, admin.id);
        const page = await agent.get(`/admin/coops/${coop.id}`).expect(200);
        await agent
          .post(`/admin/coops/${coop.id}/approve`)
          .type('form')
          .send({ _csrf: csrfFrom(page.text), confirm: 'yes' })
          .expect(303);
        assert.equal((await CoopModel.findById(coop.id).lean())!.status, 'approved');
        const entry = await AuditEntryModel.findOne({ target: `coop:${coop.id}`, action: 'coop.approve' }).lean();
        assert.ok(entry);
        // The log names the actor by id; the audit page shows who that is.
        assert.equal(String(entry.actor), admin.id);
        const log = await agent.get('/admin/audit?action=coop.approve').expect(200);
        assert.ok(log.text.includes(admin.email));
        assert.deepEqual(entry.before, { status: 'pending', rejectionReason: '' });
        assert.equal((entry.after as { status: string }).status, 'approved');
      });
    });
  });

  describe('POST /admin/coops/:id/reject', () => {
    describe('with a reason', () => {
      it('rejects and keeps the reason for the applicant', async () => {
        const admin = await makeUser({ isAdmin: true });
        const coop = await makeCoop({ status: 'pending' });
        const agent = await signedIn(app, admin.id);
        const page = await agent.get(`/admin/coops/${coop.id}`).expect(200);
        await agent
          .post(`/admin/coops/${coop.id}/reject`)
          .type('form')
          .send({ _csrf: csrfFrom(page.text), confirm: 'yes', reason: 'Manca la visura camerale' })
          .expect(303);
        const c = await CoopModel.findById(coop.id).lean();
        assert.equal(c!.status, 'rejected');
        assert.equal(c!.rejectionReason, 'Manca la visura camerale');
      });
    });

    describe('without a reason', () => {
      it('responds 422 with a message on the field', async () => {
        const admin = await makeUser({ isAdmin: true });
        const coop = await makeCoop({ status: 'pending' });
        const agent = await signedIn(app, admin.id);
        const page = await agent.get(`/admin/coops/${coop.id}`).expect(200);
        const res = await agent
          .post(`/admin/coops/${coop.id}/reject`)
          .type('form')
          .send({ _csrf: csrfFrom(page.text), confirm: 'yes', reason: '' })
          .expect(422);
        assert.match(res.text, /id="reason-error"/);
      });
    });
  });

  describe('POST /admin/coops/:id/pause and /resume', () => {
    it('pauses an approved co-op, then resumes it', async () => {
      const admin = await makeUser({ isAdmin: true });
      const coop = await makeCoop({ status: 'approved' });
      const agent = await signedIn(app, admin.id);
      let page = await agent.get(`/admin/coops/${coop.id}`).expect(200);
      await agent
        .post(`/admin/coops/${coop.id}/pause`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), confirm: 'yes' })
        .expect(303);
      assert.equal((await CoopModel.findById(coop.id).lean())!.status, 'paused');
      page = await agent.get(`/admin/coops/${coop.id}`).expect(200);
      await agent
        .post(`/admin/coops/${coop.id}/resume`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), confirm: 'yes' })
        .expect(303);
      assert.equal((await CoopModel.findById(coop.id).lean())!.status, 'approved');
    });

    it('takes its goods out of the shop while paused, and back when resumed', async () => {
      const admin = await makeUser({ isAdmin: true });
      const coop = await makeCoop({ status: 'approved' });
      const product = await makeProduct(coop, { stock: 3 });
      await catalogChanged();
      assert.ok(await getPurchasable(String(product._id), 'default'));
      const agent = await signedIn(app, admin.id);
      let page = await agent.get(`/admin/coops/${coop._id}`).expect(200);
      await agent
        .post(`/admin/coops/${coop._id}/pause`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), confirm: 'yes' })
        .expect(303);
      assert.equal(await getPurchasable(String(product._id), 'default'), null);
      page = await agent.get(`/admin/coops/${coop._id}`).expect(200);
      await agent
        .post(`/admin/coops/${coop._id}/resume`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), confirm: 'yes' })
        .expect(303);
      assert.ok(await getPurchasable(String(product._id), 'default'));
    });

    describe('when the co-op is pending', () => {
      it('responds 409', async () => {
        const admin = await makeUser({ isAdmin: true });
        const coop = await makeCoop({ status: 'pending' });
        const agent = await signedIn(app, admin.id);
        const page = await agent.get(`/admin/coops/${coop.id}`).expect(200);
        await agent
          .post(`/admin/coops/${coop.id}/pause`)
          .type('form')
          .send({ _csrf: csrfFrom(page.text), confirm: 'yes' })
          .expect(409);
      });
    });
  });

  describe('POST /admin/commission', () => {
    describe('with an override from tomorrow', () => {
      it('adds the rate without changing the rate in force today', async () => {
        const admin = await makeUser({ isAdmin: true });
        const coop = await makeCoop({ status: 'approved' });
        const agent = await signedIn(app, admin.id);
        const page = await agent.get('/admin/commission').expect(200);
        const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
        const later = new Date(Date.now() + 2 * 86_400_000);
        // The app remembers the rates it read; a new one must clear that at once.
        assert.equal(await services.payouts.commission.forCoop(coop.id, later, 777), 777);
        await agent
          .post('/admin/commission')
          .type('form')
          .send({ _csrf: csrfFrom(page.text), coop: coop.id, percent: '12,5', effectiveFrom: tomorrow, confirm: 'yes' })
          .expect(303);
        const rates = await CommissionRateModel.find({ coop: coop.id }).lean();
        assert.equal(rates.length, 1);
        assert.equal(rates[0]!.bps, 1250);
        assert.equal(await services.payouts.commission.forCoop(coop.id, new Date(), 777), 777);
        assert.equal(await services.payouts.commission.forCoop(coop.id, later, 777), 1250);
      });
    });

    describe('with a bad percentage', () => {
      it('responds 422, keeps the input and marks the field', async () => {
        const admin = await makeUser({ isAdmin: true });
        const agent = await signedIn(app, admin.id);
        const page = await agent.get('/admin/commission').expect(200);
        const res = await agent
          .post('/admin/commission')
          .type('form')
          .send({ _csrf: csrfFrom(page.text), coop: '', percent: '75', effectiveFrom: '2026-01-01', confirm: 'yes' })
          .expect(422);
        assert.match(res.text, /id="percent"[^>]*value="75"[^>]*aria-invalid="true"/);
      });
    });
  });

  describe('GET /admin/audit', () => {
    describe('filtered by action', () => {
      it('lists only that action', async () => {
        const admin = await makeUser({ isAdmin: true });
        const coop = await makeCoop({ status: 'approved' });
        const agent = await signedIn(app, admin.id);
        const page = await agent.get(`/admin/coops/${coop.id}`).expect(200);
        await agent
          .post(`/admin/coops/${coop.id}/pause`)
          .type('form')
          .send({ _csrf: csrfFrom(page.text), confirm: 'yes' })
          .expect(303);
        const res = await agent.get(`/admin/audit?action=coop.pause&actor=${encodeURIComponent(admin.email)}`).expect(200);
        assert.match(res.text, new RegExp(`coop:${coop.id}`));
        assert.doesNotMatch(res.text, /<code>coop\.approve<\/code>/);
      });
    });
  });
});
