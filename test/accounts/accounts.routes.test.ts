import type { Express } from 'express';
import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import { csrfFrom } from '../support/app';
import { appWithSmtp, linkIn, type TestSmtp } from '../support/smtp';
import { UserModel } from '../../src/accounts/user.model';
import { AccountTokenModel } from '../../src/accounts/token.model';
import { sweepRateLimits } from '../../src/platform/rate-limit';
import { client, freshEmail, logIn, sessionIdOf, tokenOf } from './helpers';
import { makeUser, PASSWORD } from '../support/factories';

describe('accounts routes', () => {
  let smtp: TestSmtp;
  let app: Express;
  before(async () => {
    ({ app, smtp } = await appWithSmtp());
  });
  after(() => smtp.stop());

  describe('sign up, verify, log in', () => {
    it('mails a verification link that confirms the address once', async () => {
      const b = client(app);
      const email = freshEmail('new');
      const csrf = await tokenOf(b, '/signup');
      const res = await b
        .post('/signup')
        .type('form')
        .send({ _csrf: csrf, name: 'Anna Rossi', email, password: 'una-password-lunga', acceptTerms: 'on' })
        .expect(200);
      assert.match(res.text, new RegExp(email.replace(/[.]/g, '\\.')));
      const mail = await smtp.waitFor(email);
      const link = linkIn(mail, '/verify/');
      assert.ok(!(await UserModel.findOne({ email }).lean())!.emailVerifiedAt);
      await b.get(link).expect(200);
      assert.ok((await UserModel.findOne({ email }).lean())!.emailVerifiedAt);
      await b.get(link).expect(410);
      await logIn(b, email, 'una-password-lunga');
      const account = await b.get('/account').expect(200);
      assert.match(account.text, /Anna Rossi/);
      assert.equal(account.headers['cache-control'], 'private, no-store');
    });

    it('answers a taken email exactly like a new one, and mails the owner instead', async () => {
      const taken = await makeUser();
      const b = client(app);
      const csrf = await tokenOf(b, '/signup');
      const res = await b
        .post('/signup')
        .type('form')
        .send({ _csrf: csrf, name: 'Someone', email: taken.email, password: 'another-password', acceptTerms: 'on' })
        .expect(200);
      assert.match(res.text, /Controlla la tua posta/);
      const mail = await smtp.waitFor(taken.email);
      assert.match(mail.subject, /già un account/);
      assert.equal(await UserModel.countDocuments({ email: taken.email }), 1);
    });

    it('shows the form again with 422, the input and a message per field', async () => {
      const b = client(app);
      const csrf = await tokenOf(b, '/signup');
      const res = await b
        .post('/signup')
        .type('form')
        .send({ _csrf: csrf, name: 'Bea', email: 'not-an-email', password: 'short' })
        .expect(422);
      assert.match(res.text, /value="Bea"/);
      assert.match(res.text, /value="not-an-email"/);
      assert.match(res.text, /id="f-email"[^>]*aria-invalid="true"[^>]*aria-describedby="f-email-error"/);
      assert.match(res.text, /id="f-password-error"/);
      assert.match(res.text, /id="f-acceptTerms-error"/);
    });

    it('ignores role, isAdmin and coop fields (mass assignment)', async () => {
      const b = client(app);
      const email = freshEmail('mass');
      const csrf = await tokenOf(b, '/signup');
      await b
        .post('/signup')
        .type('form')
        .send({
          _csrf: csrf,
          name: 'Mallory',
          email,
          password: 'mallory-password',
          acceptTerms: 'on',
          isAdmin: 'true',
          role: 'owner',
          coop: '64b000000000000000000000',
          rightsVersion: '99',
        })
        .expect(200);
      const u = (await UserModel.findOne({ email }).lean())!;
      assert.equal(u.isAdmin, false);
      assert.equal(u.rightsVersion, 0);
      assert.equal((u as Record<string, unknown>).role, undefined);
    });
  });

  describe('POST /account/profile', () => {
    it('changes the name and language, ignoring isAdmin, role, email and coop', async () => {
      const u = await makeUser();
      const b = client(app);
      await logIn(b, u.email);
      const csrf = await tokenOf(b, '/account');
      await b
        .post('/account/profile')
        .type('form')
        .send({
          _csrf: csrf,
          name: 'Nuovo Nome',
          locale: 'en',
          isAdmin: 'true',
          role: 'owner',
          email: 'x@evil.test',
          coop: '64b000000000000000000000',
          emailVerifiedAt: '',
        })
        .expect(303);
      const doc = (await UserModel.findById(u.id).lean())!;
      assert.equal(doc.name, 'Nuovo Nome');
      assert.equal(doc.locale, 'en');
      assert.equal(doc.isAdmin, false);
      assert.equal(doc.email, u.email);
      assert.ok(doc.emailVerifiedAt);
    });
  });

  describe('POST /account/verify', () => {
    it('mails a fresh link to an unverified user, at most three times an hour', async () => {
      const u = await makeUser({ verified: false });
      const b = client(app);
      await logIn(b, u.email);
      const csrf = await tokenOf(b, '/account');
      for (let i = 0; i < 3; i++) await b.post('/account/verify').type('form').send({ _csrf: csrf }).expect(303);
      await b.post('/account/verify').type('form').send({ _csrf: csrf }).expect(429);
      const link = linkIn(await smtp.waitFor(u.email), '/verify/');
      assert.ok(link);
    });
  });

  describe('POST /login', () => {
    describe('with the right password', () => {
      it('gives the session a new id (no session fixation) and keeps the guest cart', async () => {
        const u = await makeUser();
        const b = client(app);
        const page = await b.get('/login').expect(200);
        const before = sessionIdOf(page);
        assert.ok(before, 'the login form starts a session');
        // Something the guest put in the session, as the cart does.
        const db = mongoose.connection.db!;
        await db
          .collection('sessions')
          .updateOne({ _id: before as never }, { $set: { 'session.cart': { lines: [{ sku: 'X', qty: 2 }] } } });
        const res = await b
          .post('/login')
          .type('form')
          .send({ _csrf: csrfFrom(page.text), email: u.email, password: PASSWORD })
          .expect(303);
        const after = sessionIdOf(res);
        assert.ok(after && after !== before);
        assert.equal(await db.collection('sessions').countDocuments({ _id: before as never }), 0);
        const stored = await db.collection('sessions').findOne({ _id: after as never });
        assert.deepEqual((stored!.session as { cart: unknown }).cart, { lines: [{ sku: 'X', qty: 2 }] });
        assert.equal((stored!.session as { userId: string }).userId, u.id);
      });

      it('goes to ?next= when it is one of our paths, and home otherwise', async () => {
        const u = await makeUser();
        for (const [next, expected] of [
          ['/account?tab=1', '/account?tab=1'],
          ['https://evil.example/', '/'],
          ['//evil.example', '/'],
          ['/\\evil.example', '/'],
          ['javascript:alert(1)', '/'],
        ] as const) {
          const b = client(app);
          const page = await b.get(`/login?next=${encodeURIComponent(next)}`).expect(200);
          const res = await b
            .post('/login')
            .type('form')
            .send({ _csrf: csrfFrom(page.text), email: u.email, password: PASSWORD, next })
            .expect(303);
          assert.equal(res.headers.location, expected, next);
        }
      });
    });

    describe('with a wrong password or an unknown email', () => {
      it('gives the same answer for both', async () => {
        const u = await makeUser();
        const b = client(app);
        const csrf = await tokenOf(b);
        const wrong = await b.post('/login').type('form').send({ _csrf: csrf, email: u.email, password: 'nope-nope-nope' }).expect(401);
        const unknown = await b
          .post('/login')
          .type('form')
          .send({ _csrf: csrf, email: freshEmail('ghost'), password: 'nope-nope-nope' })
          .expect(401);
        const msg = (html: string) => /role="alert"[^>]*>([^<]+)</.exec(html)?.[1];
        assert.ok(msg(wrong.text));
        assert.equal(msg(wrong.text), msg(unknown.text));
      });
    });

    describe('with operator objects in the fields', () => {
      it('never matches, as JSON or as bracketed form keys', async () => {
        await makeUser();
        const b = client(app);
        const csrf = await tokenOf(b);
        await b
          .post('/login')
          .set('Accept', 'text/html')
          .send({ _csrf: csrf, email: { $ne: null }, password: { $ne: null } })
          .expect(422);
        await b
          .post('/login')
          .set('Accept', 'text/html')
          .send({ _csrf: csrf, email: { $gt: '' }, password: 'x' })
          .expect(422);
        await b
          .post('/login')
          .type('form')
          .send(`_csrf=${encodeURIComponent(csrf)}&email[$ne]=x&password[$ne]=x`)
          .expect(422);
        const res = await b.get('/account').expect(303);
        assert.match(res.headers.location!, /^\/login/);
      });
    });

    describe('after too many failures', () => {
      it('answers 429 with Retry-After even to the right password, and clears on a success', async () => {
        const u = await makeUser();
        const b = client(app);
        const csrf = await tokenOf(b);
        for (let i = 0; i < 5; i++)
          await b
            .post('/login')
            .type('form')
            .send({ _csrf: csrf, email: u.email, password: `wrong-${i}` })
            .expect(401);
        const limited = await b.post('/login').type('form').send({ _csrf: csrf, email: u.email, password: PASSWORD }).expect(429);
        assert.ok(Number(limited.headers['retry-after']) > 0);
        assert.match(limited.text, /Troppi tentativi/);
        // Another address from the same IP is not locked by this one's count.
        const other = await makeUser();
        await b.post('/login').type('form').send({ _csrf: csrf, email: other.email, password: PASSWORD }).expect(303);
      });

      it('lets the user in again once the window is over', async () => {
        const u = await makeUser();
        const b = client(app);
        const csrf = await tokenOf(b);
        for (let i = 0; i < 5; i++)
          await b
            .post('/login')
            .type('form')
            .send({ _csrf: csrf, email: u.email, password: `wrong-${i}` })
            .expect(401);
        await b.post('/login').type('form').send({ _csrf: csrf, email: u.email, password: PASSWORD }).expect(429);
        // The window ends (its counter expires) and the sweeper removes it.
        const counters = mongoose.connection.db!.collection('rate_limits');
        const mine = { _id: new RegExp(`^login-ip-email:.*\\|${u.email.replace(/[.]/g, '\\.')}:`) as never };
        await counters.updateMany(mine, { $set: { expiresAt: new Date(Date.now() - 1000) } });
        assert.ok((await sweepRateLimits()) >= 1);
        assert.equal(await counters.countDocuments(mine), 0);
        await b.post('/login').type('form').send({ _csrf: csrf, email: u.email, password: PASSWORD }).expect(303);
      });
    });

    describe('for a deleted account', () => {
      it('does not sign in', async () => {
        const u = await makeUser();
        const b = client(app);
        await logIn(b, u.email);
        const csrf = await tokenOf(b, '/account');
        await b.post('/account/delete').type('form').send({ _csrf: csrf, password: PASSWORD, confirm: 'on' }).expect(200);
        const c = client(app);
        const token = await tokenOf(c);
        await c.post('/login').type('form').send({ _csrf: token, email: u.email, password: PASSWORD }).expect(401);
      });
    });
  });

  describe('CSRF', () => {
    it('refuses a login, a logout and a profile change without the token or with a wrong one, changing nothing', async () => {
      const u = await makeUser({ name: 'Before' });
      const b = client(app);
      await tokenOf(b);
      await b.post('/login').type('form').send({ email: u.email, password: PASSWORD }).expect(403);
      await b.post('/login').type('form').send({ _csrf: 'forged', email: u.email, password: PASSWORD }).expect(403);
      assert.equal((await b.get('/account').expect(303)).headers.location, '/login?next=%2Faccount');

      await logIn(b, u.email);
      await b.post('/account/profile').type('form').send({ name: 'After', locale: 'en' }).expect(403);
      await b.post('/account/profile').type('form').send({ _csrf: 'forged', name: 'After', locale: 'en' }).expect(403);
      await b.post('/logout').type('form').send({ _csrf: 'forged' }).expect(403);
      assert.equal((await UserModel.findById(u.id).lean())!.name, 'Before');
      await b.get('/account').expect(200);
    });
  });

  describe('POST /logout', () => {
    it('destroys the session in the store', async () => {
      const u = await makeUser();
      const b = client(app);
      await logIn(b, u.email);
      const csrf = await tokenOf(b, '/account');
      const res = await b.post('/logout').type('form').send({ _csrf: csrf }).expect(303);
      assert.equal(res.headers.location, '/');
      assert.equal(await mongoose.connection.db!.collection('sessions').countDocuments({ 'session.userId': u.id }), 0);
      await b.get('/account').expect(303);
    });
  });

  describe('password reset', () => {
    async function requestReset(email: string) {
      const b = client(app);
      const csrf = await tokenOf(b, '/password/forgot');
      const res = await b.post('/password/forgot').type('form').send({ _csrf: csrf, email }).expect(200);
      return { b, res };
    }

    it('mails a link that sets a new password once and signs out every session', async () => {
      const u = await makeUser();
      const other = client(app);
      await logIn(other, u.email);
      const { b } = await requestReset(u.email);
      const link = linkIn(await smtp.waitFor(u.email, (m) => /password/i.test(m.subject)), '/password/reset/');
      const form = await b.get(link).expect(200);
      assert.equal(form.headers['referrer-policy'], 'no-referrer');
      const res = await b
        .post(link)
        .type('form')
        .send({ _csrf: csrfFrom(form.text), password: 'a-brand-new-password' })
        .expect(303);
      assert.equal(res.headers.location, '/login?reset=1');
      await other.get('/account').expect(303);
      await logIn(client(app), u.email, 'a-brand-new-password');
      // Used once: the same link is dead now.
      const again = client(app);
      await again.get(link).expect(410);
      const csrf = await tokenOf(again);
      await again.post(link).type('form').send({ _csrf: csrf, password: 'yet-another-password' }).expect(410);
    });

    it('refuses an expired link', async () => {
      const u = await makeUser();
      await requestReset(u.email);
      const link = linkIn(await smtp.waitFor(u.email), '/password/reset/');
      await AccountTokenModel.updateMany({ user: u.id }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
      const b = client(app);
      await b.get(link).expect(410);
      const csrf = await tokenOf(b);
      await b.post(link).type('form').send({ _csrf: csrf, password: 'a-brand-new-password' }).expect(410);
    });

    it('answers the same for an unknown email and sends nothing', async () => {
      const ghost = freshEmail('ghost');
      const u = await makeUser();
      const known = await requestReset(u.email);
      const unknown = await requestReset(ghost);
      const body = (html: string) =>
        /<main[\s\S]*<\/main>/
          .exec(html)![0]
          .replace(/[\w.-]+@example\.test/g, 'EMAIL')
          .replace(/value="[^"]+"/g, '');
      assert.equal(body(known.res.text), body(unknown.res.text));
      await assert.rejects(smtp.waitFor(ghost, undefined, 300));
    });

    it('is rate limited per IP and email, with Retry-After', async () => {
      const u = await makeUser();
      const b = client(app);
      const csrf = await tokenOf(b, '/password/forgot');
      for (let i = 0; i < 3; i++) await b.post('/password/forgot').type('form').send({ _csrf: csrf, email: u.email }).expect(200);
      const res = await b.post('/password/forgot').type('form').send({ _csrf: csrf, email: u.email }).expect(429);
      assert.ok(Number(res.headers['retry-after']) > 0);
    });
  });
});
