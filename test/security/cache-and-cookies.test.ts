import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import { refreshCatalog } from '../../src/catalog';
import { buildApp, csrfFrom } from '../support/app';
import { signedIn } from '../admin/helpers';
import { makeCoop, makeUser, makeProduct } from '../support/factories';

const setsSession = (res: request.Response) =>
  ([] as string[]).concat(res.headers['set-cookie'] ?? []).some((c) => /filiera\.sid=/.test(c));

describe('attacks: private pages in shared caches, and the session cookie', () => {
  let app: Express;
  let productPath: string;
  before(async () => {
    app = buildApp().app;
    const coop = await makeCoop();
    const p = await makeProduct(coop, {});
    productPath = `/products/${p.slug}`;
    await refreshCatalog();
  });

  describe('a new visitor on a page that starts a session (it embeds a CSRF token)', () => {
    for (const path of ['/login', '/signup', '/password/forgot', '/join']) {
      it(`${path} answers private, no-store`, async () => {
        const res = await request(app).get(path);
        if (setsSession(res)) assert.match(String(res.headers['cache-control']), /no-store/);
        if (path !== '/join') assert.ok(setsSession(res), `${path} starts a session`);
      });
    }
    it('a product page that starts a session answers private, no-store', async () => {
      const res = await request(app).get(productPath).expect(200);
      if (setsSession(res)) assert.match(String(res.headers['cache-control']), /private, no-store/);
    });
  });

  describe('a shopper with a session', () => {
    for (const path of ['/', '/shop', '/shop/produce', '/search?q=miele', '/coops', '/cart', '/login', '/no-such-page']) {
      it(`${path} answers private, no-store`, async () => {
        const agent = request.agent(app);
        const page = await agent.get('/login');
        const csrf = csrfFrom(page.text);
        assert.ok(csrf);
        const res = await agent.get(path);
        assert.match(String(res.headers['cache-control']), /private, no-store/, `${path}: ${res.headers['cache-control']}`);
      });
    }
    it(`the product page answers private, no-store`, async () => {
      const agent = await signedIn(app, (await makeUser()).id);
      const res = await agent.get(productPath).expect(200);
      assert.match(String(res.headers['cache-control']), /private, no-store/);
    });
  });

  describe('in production', () => {
    const prod = () =>
      buildApp({ env: { NODE_ENV: 'production', SESSION_SECRET: 'z'.repeat(40), PUBLIC_URL: 'https://filiera.example', TRUST_PROXY: '1' } })
        .app;

    it('the session cookie is __Host-: Secure, Path=/, no Domain', async () => {
      const res = await request(prod()).get('/login').set('X-Forwarded-Proto', 'https').expect(200);
      const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.includes('filiera.sid='));
      assert.ok(cookie, 'a session cookie');
      assert.match(cookie, /^__Host-filiera\.sid=/);
      assert.match(cookie, /; Secure/);
      assert.match(cookie, /; Path=\//);
      assert.doesNotMatch(cookie, /Domain=/i);
    });

    it('signing out clears the __Host- cookie', async () => {
      const a = prod();
      const page = await request(a).get('/login').set('X-Forwarded-Proto', 'https').expect(200);
      // A Secure cookie is not sent back over the test's plain HTTP, so the browser's part is played by hand.
      const sent = ([] as string[])
        .concat(page.headers['set-cookie'] ?? [])
        .find((c) => c.startsWith('__Host-'))!
        .split(';')[0]!;
      const res = await request(a)
        .post('/logout')
        .set('X-Forwarded-Proto', 'https')
        .set('Cookie', sent)
        .type('form')
        .send({ _csrf: csrfFrom(page.text) });
      assert.ok(res.status < 400, `logout answered ${res.status}`);
      const cleared = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('__Host-filiera.sid='));
      assert.ok(cleared, 'the cookie is cleared');
      assert.match(cleared, /Expires=Thu, 01 Jan 1970/);
      assert.match(cleared, /; Secure/);
    });
  });
});
