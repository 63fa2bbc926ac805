import type { Express } from 'express';
import assert from 'node:assert/strict';
import express from 'express';
import request from 'supertest';
import { buildApp, testConfig } from '../support/app';
import helmet from 'helmet';
import { SESSION_COOKIE, fixedHeaders, safeNext, sessions } from '../../src/platform/security';

describe('security headers', () => {
  let app: Express;
  before(() => {
    app = buildApp().app;
  });

  describe('GET /', () => {
    it('sends a strict Content-Security-Policy without inline script', async () => {
      const res = await request(app).get('/').expect(200);
      const csp = String(res.headers['content-security-policy']);
      assert.match(csp, /default-src 'self'/);
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.match(csp, /form-action 'self' https:\/\/checkout\.stripe\.com/);
      assert.match(csp, /frame-ancestors 'none'/);
    });

    it('sends nosniff, no X-Powered-By and a request id', async () => {
      const res = await request(app).get('/').expect(200);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['x-powered-by'], undefined);
      assert.match(String(res.headers['x-request-id']), /^[\w-]{8,}$/);
    });

    it('has no inline script in the page', async () => {
      const res = await request(app).get('/').expect(200);
      const inline = [...res.text.matchAll(/<script(?![^>]*\bsrc=)(?![^>]*application\/ld\+json)[^>]*>/g)];
      assert.equal(inline.length, 0);
    });

    it('sends no HSTS outside production', async () => {
      const res = await request(app).get('/').expect(200);
      assert.equal(res.headers['strict-transport-security'], undefined);
    });
  });

  describe('in production mode', () => {
    it('sends HSTS', async () => {
      const { app: prod } = buildApp({
        env: { NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), PUBLIC_URL: 'https://filiera.example' },
      });
      const res = await request(prod).get('/healthz').expect(200);
      assert.match(String(res.headers['strict-transport-security']), /max-age=63072000; includeSubDomains/);
    });
  });

  it('set once from helmet: the same headers as helmet sets on each request', async () => {
    const options = { contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], formAction: ["'self'", 'https://x.example'] } } };
    const headersOf = async (mw: express.RequestHandler) => {
      const a = express();
      a.use((_req, res, next) => {
        res.setHeader('X-Powered-By', 'something');
        next();
      });
      a.use(mw);
      a.get('/', (_req, res) => res.send('ok'));
      const { headers } = await request(a).get('/').expect(200);
      const { date: _d, etag: _e, ...rest } = headers;
      return rest;
    };
    const once = await headersOf(fixedHeaders(helmet(options)));
    assert.deepEqual(once, await headersOf(helmet(options)));
    assert.equal(once['x-powered-by'], undefined);
    assert.match(String(once['content-security-policy']), /form-action 'self' https:\/\/x\.example/);
  });

  describe('GET /static/css/site.css', () => {
    it('serves it with cache headers', async () => {
      const res = await request(app).get('/static/css/site.css').expect(200);
      assert.match(String(res.headers['cache-control']), /max-age=\d+/);
      assert.ok(res.headers.etag);
    });
  });
});

describe('session cookie', () => {
  function appWithSession(env: Record<string, string> = {}) {
    const a = express();
    a.set('trust proxy', 'loopback');
    a.use(sessions(testConfig(env)));
    a.get('/touch', (req, res) => {
      req.session.userId = 'someone';
      res.send('ok');
    });
    a.get('/look', (_req, res) => res.send('ok'));
    return a;
  }

  it('is not set until the session holds something', async () => {
    const res = await request(appWithSession()).get('/look').expect(200);
    assert.equal(res.headers['set-cookie'], undefined);
  });

  it('is HttpOnly and SameSite=Lax, stored in MongoDB', async () => {
    const res = await request(appWithSession()).get('/touch').expect(200);
    const cookie = String(res.headers['set-cookie']);
    assert.match(cookie, new RegExp(`^${SESSION_COOKIE.replace('.', '\\.')}=`));
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.doesNotMatch(cookie, /Secure/);
  });

  it('is Secure in production (behind an HTTPS proxy)', async () => {
    const res = await request(
      appWithSession({ NODE_ENV: 'production', SESSION_SECRET: 'y'.repeat(40), PUBLIC_URL: 'https://filiera.example' }),
    )
      .get('/touch')
      .set('X-Forwarded-Proto', 'https')
      .expect(200);
    assert.match(String(res.headers['set-cookie']), /Secure/);
  });
});

describe('safeNext', () => {
  it('keeps our own paths', () => {
    assert.equal(safeNext('/shop?x=1'), '/shop?x=1');
  });
  for (const bad of [
    'https://evil.example',
    '//evil.example',
    '/\\evil.example',
    'javascript:alert(1)',
    '/%0d%0aSet-Cookie:x',
    undefined,
    ['/a'],
  ]) {
    it(`refuses ${JSON.stringify(bad)}`, () => {
      const out = safeNext(bad);
      assert.ok(out === '/' || (out.startsWith('/') && !out.startsWith('//')), out);
      assert.ok(!/evil/.test(out) || out.startsWith('/%'), out);
    });
  }
});
