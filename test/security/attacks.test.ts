/**
 * The attack suite in one place: each describe names an attack and proves
 * the shop refuses it end to end. Feature suites test their own edges in more
 * depth (test/accounts for login attacks and session fixation, test/coops for
 * upload abuse and cross-co-op access, test/payments for webhooks); this file
 * is the checklist a reviewer reads first.
 */
import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import Stripe from 'stripe';
import { CoopModel } from '../../src/coops/coop.model';
import { refreshCatalog } from '../../src/catalog';
import { browser, buildApp, csrfFrom } from '../support/app';
import { signedIn } from '../admin/helpers';
import { MembershipModel } from '../../src/coops/membership.model';
import { UserModel } from '../../src/accounts/user.model';
import { makeCoop, makeUser, makeProduct } from '../support/factories';

const XSS = `<script>alert('x')</script><img src=x onerror=alert(1)>`;

describe('attacks', () => {
  let app: Express;
  before(() => {
    app = buildApp().app;
  });

  describe('stored XSS in product names, descriptions and co-op stories', () => {
    let coopSlug: string;
    let productSlug: string;
    before(async () => {
      const coop = await makeCoop({ name: `Coop ${XSS}` });
      await CoopModel.updateOne({ _id: coop._id }, { story: { it: `Storia ${XSS}`, en: `Story ${XSS}` } });
      const p = await makeProduct(coop, { nameIt: `Miele ${XSS}`, descIt: `Descrizione ${XSS}` });
      coopSlug = coop.slug;
      productSlug = p.slug;
      await refreshCatalog();
    });

    for (const page of ['product', 'co-op', 'listing', 'search']) {
      it(`escapes them on the ${page} page`, async () => {
        const path = {
          product: `/products/${productSlug}`,
          'co-op': `/coops/${coopSlug}`,
          listing: '/shop/produce',
          search: '/search?q=miele',
        }[page]!;
        const res = await request(app).get(path).expect(200);
        assert.doesNotMatch(res.text, /<script>alert/);
        assert.doesNotMatch(res.text, /<img src=x onerror/);
        assert.match(res.text, /&lt;script&gt;alert/);
      });
    }

    it('escapes `<` inside the product JSON-LD so it cannot close the script element', async () => {
      const res = await request(app).get(`/products/${productSlug}`).expect(200);
      const ld = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(res.text);
      assert.ok(ld, 'JSON-LD present');
      assert.doesNotMatch(ld[1]!, /<\/?script/i);
    });
  });

  describe('reflected XSS in the search box', () => {
    it('escapes the query everywhere it is shown', async () => {
      const res = await request(app)
        .get(`/search?q=${encodeURIComponent(`"><script>alert(1)</script>`)}`)
        .expect(200);
      assert.doesNotMatch(res.text, /"><script>alert\(1\)/);
    });
  });

  describe('operator and regex injection in query strings', () => {
    for (const qs of ['price[$gt]=0', 'coop[$ne]=x', 'q=.*(', 'q=%5E.*%24', 'page[$gt]=1', 'sort[$where]=1', `q=${'a'.repeat(10_000)}`]) {
      it(`GET /shop?${qs.slice(0, 30)} never errors`, async () => {
        const res = await request(app).get(`/shop?${qs}`);
        assert.ok(res.status === 200 || res.status === 422, `status ${res.status}`);
      });
    }
  });

  describe('operator injection in a JSON login', () => {
    it('does not sign anyone in with {"$ne": null}', async () => {
      const agent = browser(app);
      const token = csrfFrom((await agent.get('/login').expect(200)).text);
      const res = await agent
        .post('/login')
        .set('X-CSRF-Token', token)
        .send({ email: { $ne: null }, password: { $ne: null } });
      assert.ok([400, 401, 422].includes(res.status), `status ${res.status}`);
      const account = await agent.get('/account');
      assert.equal(account.status, 303);
    });
  });

  describe('CSRF', () => {
    it('refuses a state change without a token (403) and changes nothing', async () => {
      const coop = await makeCoop();
      const p = await makeProduct(coop);
      await refreshCatalog();
      const agent = browser(app);
      await agent
        .post('/cart/items')
        .type('form')
        .send({ productId: String(p._id), sku: 'default', quantity: '1' })
        .expect(403);
      const cart = await agent.get('/cart').expect(200);
      assert.doesNotMatch(cart.text, new RegExp(p.name!.it!));
    });

    it('refuses a token from another session', async () => {
      const a = browser(app);
      const b = browser(app);
      const tokenA = csrfFrom((await a.get('/login')).text);
      await b.get('/login');
      await b.post('/login').type('form').send({ _csrf: tokenA, email: 'x@example.org', password: 'whatever-123' }).expect(403);
    });
  });

  describe('access across co-ops and roles', () => {
    it('answers 404 to a member of another co-op, 403 to staff on a manager action', async () => {
      const [coopA, coopB] = [await makeCoop(), await makeCoop()];
      const user = await makeUser();
      await MembershipModel.create({ user: user.id, coop: coopA._id, role: 'staff' });
      const agent = await signedIn(app, user.id);
      await agent.get(`/workspace/${coopB.slug}`).expect(404);
      await agent.get(`/workspace/${coopB.slug}/goods/new`).expect(404);
      await agent.get(`/workspace/${coopA.slug}/goods/new`).expect(403);
    });

    it('keeps non-admins out of the admin pages', async () => {
      const user = await makeUser();
      const agent = await signedIn(app, user.id);
      await agent.get('/admin').expect(403);
      await agent.get('/admin/payouts').expect(403);
      await request(app).get('/admin').expect(303);
    });
  });

  describe('mass assignment at sign-up', () => {
    it('ignores isAdmin and role fields', async () => {
      const agent = browser(app);
      const token = csrfFrom((await agent.get('/signup')).text);
      const email = `mass-${Date.now()}@example.org`;
      await agent
        .post('/signup')
        .set('X-Forwarded-For', `10.9.${Date.now() % 250}.7`)
        .type('form')
        .send({
          _csrf: token,
          name: 'Mallory',
          email,
          password: 'a-long-password-123',
          acceptTerms: 'on',
          isAdmin: 'true',
          role: 'owner',
          coop: 'x',
        });
      const u = await UserModel.findOne({ email }).lean();
      assert.ok(u, 'the account was created');
      assert.equal(u.isAdmin, false);
    });
  });

  describe('open redirects', () => {
    for (const next of ['https://evil.example/', '//evil.example', '/\\evil.example']) {
      it(`the language switch refuses next=${next}`, async () => {
        const res = await request(app)
          .get(`/lang/en?next=${encodeURIComponent(next)}`)
          .expect(303);
        assert.equal(res.headers.location, '/');
      });
    }
  });

  describe('forged and replayed webhooks', () => {
    const payload = JSON.stringify({
      id: `evt_${Date.now()}`,
      object: 'event',
      type: 'checkout.session.expired',
      data: { object: { id: 'cs_x', object: 'checkout.session', metadata: {} } },
    });

    it('answers 400 to a missing or wrong signature', async () => {
      await request(app).post('/webhooks/stripe').set('Content-Type', 'application/json').send(payload).expect(400);
      const forged = Stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_not_ours' });
      await request(app)
        .post('/webhooks/stripe')
        .set('Content-Type', 'application/json')
        .set('Stripe-Signature', forged)
        .send(payload)
        .expect(400);
    });

    it('answers 400 to a correctly signed event that is too old (a replay)', async () => {
      const old = Stripe.webhooks.generateTestHeaderString({
        payload,
        secret: 'whsec_test_platform',
        timestamp: Math.floor(Date.now() / 1000) - 3600,
      });
      await request(app)
        .post('/webhooks/stripe')
        .set('Content-Type', 'application/json')
        .set('Stripe-Signature', old)
        .send(payload)
        .expect(400);
    });
  });

  describe('oversized and deeply nested bodies', () => {
    it('refuses a form body over 100 kB with 413', async () => {
      await request(app)
        .post('/login')
        .type('form')
        .send(`email=${'a'.repeat(150_000)}`)
        .expect(413);
    });

    it('keeps a deeply nested form body flat (no object is built)', async () => {
      const nested = `${'a'.repeat(1)}${'[b]'.repeat(500)}=1`;
      const res = await request(app).post('/login').type('form').send(nested);
      assert.equal(res.status, 403); // refused by CSRF before anything reads it, and without a crash
    });

    it('refuses deeply nested JSON without crashing', async () => {
      const deep = '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000);
      const res = await request(app).post('/login').set('Content-Type', 'application/json').send(deep);
      assert.ok(res.status < 500, `status ${res.status}`);
    });
  });
});
