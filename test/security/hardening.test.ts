import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import Stripe from 'stripe';
import type { Request } from 'express';
import { buildApp, csrfFrom } from '../support/app';
import { isLocalRequest } from '../../src/accounts/mailbox.routes';
import { loadConfig } from '../../src/platform/config';
import { client, tokenOf } from '../accounts/helpers';
import { makeUser, PASSWORD } from '../support/factories';

describe('attacks: cross-site requests, future webhooks, spread-out guessing, the dev mailbox', () => {
  let app: Express;
  before(() => {
    app = buildApp().app;
  });

  describe('a state change that the browser says comes from another site', () => {
    for (const site of ['cross-site', 'same-site']) {
      it(`is refused with 403 (Sec-Fetch-Site: ${site}), even with a valid token`, async () => {
        const b = request.agent(app);
        const csrf = csrfFrom((await b.get('/login').expect(200)).text);
        const res = await b
          .post('/login')
          .set('Sec-Fetch-Site', site)
          .type('form')
          .send({ _csrf: csrf, email: 'x@example.test', password: 'whatever-long' });
        assert.equal(res.status, 403);
      });
    }
    it('goes through from our own pages (same-origin) and from browsers that do not say (none / absent)', async () => {
      for (const site of ['same-origin', 'none', undefined]) {
        const b = request.agent(app);
        const csrf = csrfFrom((await b.get('/login').expect(200)).text);
        const req = b.post('/login').type('form');
        if (site) req.set('Sec-Fetch-Site', site);
        const res = await req.send({ _csrf: csrf, email: 'nobody@example.test', password: 'whatever-long' });
        assert.equal(res.status, 401, `Sec-Fetch-Site ${site}`);
      }
    });
  });

  describe('a correctly signed webhook whose timestamp lies in the future', () => {
    for (const aheadS of [301, 3_600, 86_400 * 365]) {
      it(`is refused (${aheadS} s ahead)`, async () => {
        const payload = JSON.stringify({
          id: `evt_future_${aheadS}`,
          object: 'event',
          type: 'checkout.session.completed',
          created: 1,
          livemode: false,
          data: { object: { id: 'cs_x', object: 'checkout.session' } },
        });
        const header = Stripe.webhooks.generateTestHeaderString({
          payload,
          secret: 'whsec_test_platform',
          timestamp: Math.floor(Date.now() / 1_000) + aheadS,
        });
        const res = await request(app)
          .post('/webhooks/stripe')
          .set('Content-Type', 'application/json')
          .set('Stripe-Signature', header)
          .send(payload);
        assert.equal(res.status, 400);
      });
    }
  });

  describe('guessing one account password from many addresses', () => {
    it('slows down after 10 failures in the window, whatever the IP, and the 429 page offers a reset', async function () {
      this.timeout(30_000);
      const u = await makeUser();
      for (let i = 0; i < 10; i++) {
        const b = client(app); // a fresh IP each time: the per-IP limits never trigger
        const csrf = await tokenOf(b);
        await b
          .post('/login')
          .type('form')
          .send({ _csrf: csrf, email: u.email, password: `wrong-${i}-guess` })
          .expect(401);
      }
      const b = client(app);
      const csrf = await tokenOf(b);
      const limited = await b.post('/login').type('form').send({ _csrf: csrf, email: u.email, password: PASSWORD }).expect(429);
      assert.ok(limited.headers['retry-after'] || limited.headers['ratelimit'], 'says when to come back');
      assert.match(limited.text, /href="\/password\/forgot"/);
      // Other accounts are not affected.
      const other = await makeUser();
      const c = client(app);
      const otherCsrf = await tokenOf(c);
      await c.post('/login').type('form').send({ _csrf: otherCsrf, email: other.email, password: PASSWORD }).expect(303);
    });
  });

  describe('the development mailbox', () => {
    it('answers a request made on this machine', async () => {
      await request(app).get('/dev/mailbox').expect(200);
    });
    for (const header of [
      ['X-Forwarded-For', '203.0.113.9'],
      ['Forwarded', 'for=203.0.113.9'],
    ]) {
      it(`is not there for a request relayed by a proxy (${header[0]})`, async () => {
        await request(app).get('/dev/mailbox').set(header[0]!, header[1]!).expect(404);
        await request(app).get('/dev/mailbox/x.eml').set(header[0]!, header[1]!).expect(404);
      });
    }
    it('knows a loopback address from any other', () => {
      const req = (remoteAddress: string) => ({ socket: { remoteAddress }, headers: {} }) as unknown as Request;
      for (const local of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) assert.ok(isLocalRequest(req(local)), local);
      for (const remote of ['10.0.0.2', '192.168.1.4', '::ffff:10.0.0.2', '2001:db8::1', ''])
        assert.ok(!isLocalRequest(req(remote)), remote);
    });
  });

  it('npm start listens on this machine only unless HOST says otherwise', () => {
    assert.equal(loadConfig({ NODE_ENV: 'development' }).host, '127.0.0.1');
    assert.equal(loadConfig({ NODE_ENV: 'development', HOST: '0.0.0.0' }).host, '0.0.0.0');
  });
});
