import assert from 'node:assert/strict';
import type { Request } from 'express';
import { MemoryMailer, browser, buildApp, csrfFrom, testConfig } from '../support/app';
import { networkInterfaces } from 'node:os';
import { publicUrlOf } from '../../src/platform/web';
import { lanAddresses } from '../../src/platform/welcome';
import { loadConfig } from '../../src/platform/config';
import { DemoGateway } from '../../src/payments/demo-gateway';
import { placeGuestCheckout } from '../orders/support';
import { makeCoop, makeListedProduct } from '../support/factories';

const asRequest = (host: string | undefined, protocol = 'http') => ({ headers: { host }, protocol }) as unknown as Request;

describe('the public address', () => {
  describe('config', () => {
    it('follows the request only in development without PUBLIC_URL', () => {
      assert.equal(loadConfig({ NODE_ENV: 'development' }).publicUrlFromHost, true);
      assert.equal(loadConfig({ NODE_ENV: 'development', PUBLIC_URL: 'http://localhost:3000' }).publicUrlFromHost, false);
      assert.equal(loadConfig({ NODE_ENV: 'test' }).publicUrlFromHost, false);
      const production = { NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32), MONGODB_URI: 'mongodb://db/filiera' };
      assert.equal(loadConfig({ ...production, PUBLIC_URL: 'https://shop.example' }).publicUrlFromHost, false);
    });
  });

  describe('publicUrlOf', () => {
    const dev = loadConfig({ NODE_ENV: 'development', PORT: '3000' });
    it('is the origin the page was opened on, in development, when it names this machine', () => {
      assert.equal(publicUrlOf(asRequest('127.0.0.1:3000'), dev), 'http://127.0.0.1:3000');
      assert.equal(publicUrlOf(asRequest('127.0.0.1:3000', 'https'), dev), 'https://127.0.0.1:3000');
      assert.equal(publicUrlOf(asRequest('LOCALHOST:3001'), dev), 'http://localhost:3001');
      for (const lan of lanAddresses()) assert.equal(publicUrlOf(asRequest(`${lan}:3000`), dev), `http://${lan}:3000`);
      const v6 = Object.values(networkInterfaces()).some((l) => l?.some((i) => i.address === '::1'));
      if (v6) assert.equal(publicUrlOf(asRequest('[::1]:3000'), dev), 'http://[::1]:3000');
    });

    it('keeps the configured address for a missing or malformed Host, or one naming another machine', () => {
      assert.equal(publicUrlOf(asRequest(undefined), dev), 'http://localhost:3000');
      for (const bad of ['evil.test/path', 'a b', 'x@evil.test', 'evil.test:3000:1', '"><script>', '', 'evil.test', '203.0.113.9:3000'])
        assert.equal(publicUrlOf(asRequest(bad), dev), 'http://localhost:3000', bad);
    });

    it('never trusts Host in production or when PUBLIC_URL is set', () => {
      const production = loadConfig({
        NODE_ENV: 'production',
        SESSION_SECRET: 'x'.repeat(32),
        MONGODB_URI: 'mongodb://db/filiera',
        PUBLIC_URL: 'https://shop.example/',
      });
      assert.equal(publicUrlOf(asRequest('evil.test'), production), 'https://shop.example');
      const fixed = loadConfig({ NODE_ENV: 'development', PUBLIC_URL: 'http://localhost:3000' });
      assert.equal(publicUrlOf(asRequest('127.0.0.1:3000'), fixed), 'http://localhost:3000');
    });
  });

  describe('a demo checkout started at http://127.0.0.1:PORT in development', () => {
    it('pays on the same origin and returns to 127.0.0.1, not localhost', async () => {
      // What `npm start` has: development, demo payments, no PUBLIC_URL.
      const config = { ...testConfig({ STRIPE_SECRET_KEY: '' }), env: 'development' as const, publicUrlFromHost: true };
      const { app } = buildApp({ config, payments: new DemoGateway() });
      const coop = await makeCoop();
      const product = await makeListedProduct(coop, { stock: 2 });
      const b = browser(app); // supertest opens the app at http://127.0.0.1:<port>
      const home = await b.get('/cart').expect(200);
      assert.match(String(home.headers['content-security-policy']), /form-action 'self'/);
      const payPage = await placeGuestCheckout(b, [product._id]);
      assert.match(payPage, /^\/demo-pay\/cs_demo_\w+$/, 'the demo payment page is on this origin');
      const page = await b.get(payPage).expect(200);
      const paid = await b
        .post(`${payPage}/pay`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text) })
        .expect(303);
      const back = new URL(String(paid.headers.location));
      assert.equal(back.hostname, '127.0.0.1');
      assert.equal(back.pathname, '/checkout/success');
      assert.doesNotMatch(String(paid.headers.location), /localhost/);
      await b.get(`${back.pathname}${back.search}`).expect(200);
    });
  });

  describe('a mail sent while answering a request at http://127.0.0.1:PORT in development', () => {
    it('links back to 127.0.0.1', async () => {
      const mailer = new MemoryMailer();
      const config = { ...testConfig(), env: 'development' as const, publicUrlFromHost: true };
      const { app } = buildApp({ config, mailer });
      const b = browser(app);
      const page = await b.get('/signup').expect(200);
      const email = `host-${Date.now()}@example.test`;
      await b
        .post('/signup')
        .type('form')
        .send({ _csrf: csrfFrom(page.text), name: "Anna D'Amico", email, password: 'una-password-lunga', acceptTerms: 'on' })
        .expect(200);
      for (let i = 0; i < 50 && !mailer.sent.some((m) => m.to === email); i++) await new Promise((r) => setTimeout(r, 20));
      const mail = mailer.sent.find((m) => m.to === email);
      assert.ok(mail, 'the verification mail');
      assert.match(mail.text, /http:\/\/127\.0\.0\.1:\d+\/verify\/[\w-]+/);
      assert.doesNotMatch(mail.text, /localhost/);
    });
  });
});
