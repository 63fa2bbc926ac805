import type { Express } from 'express';
import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import request from 'supertest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, csrfFrom, testConfig } from '../support/app';
import { appWithRealMail } from '../support/smtp';
import { client, freshEmail, logIn, sessionIdOf, tokenOf } from './helpers';
import { makeUser } from '../support/factories';

const sessionsCollection = () => mongoose.connection.db!.collection('sessions');

describe('sessions of signed-in users', () => {
  let app: Express;
  let deps: ReturnType<typeof buildApp>['deps'];
  before(() => {
    ({ app, deps } = buildApp());
  });

  async function signedInSession() {
    const u = await makeUser();
    const b = client(app);
    await logIn(b, u.email);
    const res = await b.get('/account').expect(200);
    const cookie = ([] as string[])
      .concat(res.headers['set-cookie'] ?? [])
      .find((c) => c.startsWith('filiera.sid='))!
      .split(';')[0]!;
    return { b, sid: sessionIdOf(res)!, cookie };
  }

  /**
   * The session cookie alone, without the version cookie: the app reads the
   * store, as a process that never held this session does. (A copy held in
   * memory ends with the session's own expiry and absolute deadline, which
   * it carries: test/platform/session-cache.test.ts.)
   */
  const fromStore = (cookie: string) => request(app).get('/account').set('Cookie', cookie);

  describe('when idle longer than the idle timeout', () => {
    it('are signed out', async () => {
      const { sid, cookie } = await signedInSession();
      // The store keeps `expires` = last activity + idle timeout; pretend that moment passed.
      await sessionsCollection().updateOne({ _id: sid as never }, { $set: { expires: new Date(Date.now() - 1000) } });
      await fromStore(cookie).expect(303);
    });
  });

  describe('when older than the absolute timeout', () => {
    it('are signed out even while active', async () => {
      const { sid, cookie } = await signedInSession();
      const tooOld = Date.now() - (testConfig().session.absoluteHours * 3_600_000 + 60_000);
      await sessionsCollection().updateOne({ _id: sid as never }, { $set: { 'session.createdAt': tooOld } });
      await fromStore(cookie).expect(303);
    });
  });

  describe('while nothing changes', () => {
    it('keep their id', async () => {
      const { b, sid } = await signedInSession();
      const again = await b.get('/account').expect(200);
      assert.equal(sessionIdOf(again), sid);
    });
  });

  describe('login hooks', () => {
    it('run after the sign-in, on the new session', async () => {
      const seen: string[] = [];
      deps.events!.on('account.signed_in', async ({ req, userId }) => {
        if (req.session.userId === userId) seen.push(userId);
      });
      const u = await makeUser();
      await logIn(client(app), u.email);
      assert.ok(seen.includes(u.id));
    });
  });
});

describe('addresses at /account', () => {
  let app: Express;
  before(() => {
    app = buildApp().app;
  });

  it('adds, edits and removes an address; refuses a bad CAP with 422', async () => {
    const u = await makeUser();
    const b = client(app);
    await logIn(b, u.email);
    const csrf = await tokenOf(b, '/account/addresses/new');
    const bad = await b
      .post('/account/addresses')
      .type('form')
      .send({ _csrf: csrf, name: 'Anna', line1: 'Via Roma 1', postalCode: '123', city: 'Bari', province: 'BA', country: 'IT' })
      .expect(422);
    assert.match(bad.text, /id="f-postalCode"[^>]*aria-invalid="true"/);
    assert.match(bad.text, /value="Via Roma 1"/);
    await b
      .post('/account/addresses')
      .type('form')
      .send({
        _csrf: csrf,
        name: 'Anna',
        line1: 'Via Roma 1',
        postalCode: '70121',
        city: 'Bari',
        province: 'ba',
        country: 'IT',
        user: 'someone-else',
      })
      .expect(303);
    const page = await b.get('/account').expect(200);
    const id = /\/account\/addresses\/([a-f\d]{24})\/edit/.exec(page.text)![1]!;
    await b
      .post(`/account/addresses/${id}`)
      .type('form')
      .send({ _csrf: csrf, name: 'Anna', line1: 'Rue X 2', postalCode: '75001', city: 'Paris', country: 'FR' })
      .expect(303);
    assert.match((await b.get('/account').expect(200)).text, /Paris/);

    // Someone else cannot see or change it.
    const other = client(app);
    await logIn(other, (await makeUser()).email);
    await other.get(`/account/addresses/${id}/edit`).expect(404);
    const otherCsrf = await tokenOf(other, '/account');
    await other.post(`/account/addresses/${id}/delete`).type('form').send({ _csrf: otherCsrf }).expect(404);

    await b.post(`/account/addresses/${id}/delete`).type('form').send({ _csrf: csrf }).expect(303);
    assert.doesNotMatch((await b.get('/account').expect(200)).text, /Paris/);
  });
});

describe('the development mailbox', () => {
  let dataDir: string;
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('lists the mails written without SMTP_URL and shows one with its links', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'filiera-mailbox-'));
    const app = appWithRealMail({ DATA_DIR: dataDir });
    const b = client(app);
    const email = freshEmail('mailbox');
    const form = await b.get('/signup').expect(200);
    await b
      .post('/signup')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), name: 'Dev', email, password: 'dev-password-1', acceptTerms: 'on' })
      .expect(200);
    let list = '';
    for (let i = 0; i < 50 && !list.includes(email); i++) {
      await new Promise((r) => setTimeout(r, 50));
      // The person reading the mailbox sits at this machine: no proxy between (client() adds X-Forwarded-For).
      list = (await request(app).get('/dev/mailbox').expect(200)).text;
    }
    const file = new RegExp(`href="(/dev/mailbox/[^"]+)"[^<]*<`).exec(list)![1]!;
    const mail = await request(app).get(file).expect(200);
    const verify = /href="http:\/\/localhost:\d+(\/verify\/[\w-]+)"/.exec(mail.text)![1]!;
    await b.get(verify).expect(200);
    await b.get('/dev/mailbox/..%2F..%2Fetc%2Fpasswd').expect(404);
  });

  it('does not exist when mail goes to an SMTP server', async () => {
    const { app } = buildApp({ env: { SMTP_URL: 'smtp://127.0.0.1:1' } });
    await client(app).get('/dev/mailbox').expect(404);
  });
});
