import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import { buildApp } from '../support/app';
import { memberOf, signedIn } from '../workspace/workspace.fixtures';
import { makeCoop, makeUser } from '../support/factories';

/**
 * Names that live on every object's prototype. A lookup written as
 * `table[key]` or `key in table` finds them on any plain object, so a user
 * who types them as a query key, a path segment or a form field reaches code
 * that expected a known entry. Whatever they are called, the answer is never a 5xx.
 */
const PROTO_KEYS = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'prototype', '__defineGetter__', 'isPrototypeOf'];

/** Every GET route, with `:param` where a user chooses the segment. */
const ROUTES = [
  '/',
  '/shop',
  '/shop/:p',
  '/shop/produce/:p',
  '/search',
  '/products/:p',
  '/coops',
  '/coops/:p',
  '/cart',
  '/checkout',
  '/checkout/review',
  '/checkout/success',
  '/checkout/cancel',
  '/login',
  '/signup',
  '/password/forgot',
  '/password/reset/:p',
  '/verify/:p',
  '/invitations/:p',
  '/lang/:p',
  '/orders/view/:p',
  '/account/orders',
  '/account/orders/:p',
  '/addresses/new',
  '/addresses/:p/edit',
  '/join',
  '/workspace',
  '/workspace/:p',
  '/workspace/:coop/goods',
  '/workspace/:coop/goods/:p/edit',
  '/workspace/:coop/goods/import/:p',
  '/workspace/:coop/orders/:p',
  '/workspace/:coop/payouts',
  '/workspace/:coop/money',
  '/admin',
  '/admin/coops/:p',
  '/admin/orders/:p',
  '/admin/balances/:p',
  '/admin/payouts/t/:p',
  '/admin/payouts/bulk/:p',
  '/admin/ledger',
  '/admin/payouts',
  '/admin/reconciliation',
  '/admin/audit',
  '/admin/commission',
  '/demo-pay/:p',
  '/demo-connect/:p',
  '/static/:p',
  '/uploads/:p',
];

/** Every POST route with a segment the user chooses (`:p`), signed in as a member or an admin. */
const POST_ROUTES = [
  '/workspace/:coop/members/:p/remove',
  '/workspace/:coop/members/:p/role',
  '/workspace/:coop/members/invitations/:p/revoke',
  '/addresses/:p',
  '/addresses/:p/delete',
  '/admin/coops/:p/approve',
  '/admin/coops/:p/:p',
  '/admin/orders/:p/refund',
  '/admin/orders/:p/refunds/retry',
  '/admin/payouts/t/:p/release',
  '/admin/payouts/t/:p/:p',
  '/admin/payouts/t/:p/hold',
  '/cart/items/:p/quantity',
  '/cart/items/:p/remove',
  '/demo-connect/:p/complete',
  '/demo-pay/:p/cancel',
  '/demo-pay/:p/pay',
  '/invitations/:p',
  '/orders/:p/status',
  '/password/reset/:p',
  '/workspace/:coop/goods/:p',
  '/workspace/:coop/goods/:p/archive',
  '/workspace/:coop/goods/:p/duplicate',
  '/workspace/:coop/goods/:p/images/remove',
  '/workspace/:coop/goods/import/:p/apply',
  '/workspace/:p/goods',
  '/workspace/:p/payouts/refresh-state',
];

/** The same query keys on every page: bare, bracketed (qs-style nesting) and repeated. */
const HOSTILE_QUERY = PROTO_KEYS.flatMap((k) => [`${k}=1`, `${encodeURIComponent(`${k}[a]`)}=1`, `${k}=1&${k}=2`]).join('&');

describe('attacks: prototype names as user keys', function () {
  this.timeout(120_000);
  let app: Express;
  let coopSlug: string;
  const roles: Record<string, () => ReturnType<typeof request>> = {};

  before(async () => {
    app = buildApp().app;
    const coop = await makeCoop();
    coopSlug = coop.slug;
    const admin = await makeUser({ isAdmin: true });
    const member = await memberOf(app, coop.id, 'owner');
    roles.visitor = () => request(app);
    const adminAgent = await signedIn(app, admin.id);
    roles.admin = () => adminAgent as unknown as ReturnType<typeof request>;
    roles.member = () => member.agent as unknown as ReturnType<typeof request>;
  });

  for (const role of ['visitor', 'member', 'admin']) {
    describe(`as ${role === 'visitor' ? 'a visitor without a session' : `a signed-in ${role}`}`, () => {
      it('never answers 5xx to a prototype name as a path segment', async () => {
        const failures: string[] = [];
        for (const route of ROUTES) {
          for (const key of PROTO_KEYS) {
            const path = route.replace(':coop', coopSlug).replace(':p', encodeURIComponent(key));
            const res = await roles[role]!().get(path);
            if (res.status >= 500) failures.push(`${res.status} ${path}`);
          }
        }
        assert.deepEqual(failures, []);
      });

      it('never answers 5xx to prototype names as query keys', async () => {
        const failures: string[] = [];
        for (const route of ROUTES) {
          const path = `${route.replace(':coop', coopSlug).replace(':p', 'x')}?${HOSTILE_QUERY}`;
          const res = await roles[role]!().get(path);
          if (res.status >= 500) failures.push(`${res.status} ${path.split('?')[0]}`);
        }
        assert.deepEqual(failures, []);
      });
    });
  }

  for (const role of ['member', 'admin']) {
    it(`never answers 5xx to a prototype name as a segment of a form's action, as a signed-in ${role}`, async () => {
      const agent = roles[role]!() as unknown as ReturnType<typeof request.agent>;
      const page = await agent.get('/account/orders');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
      assert.ok(csrf, 'a CSRF token, so the requests reach the routes');
      const failures: string[] = [];
      for (const route of POST_ROUTES) {
        for (const key of PROTO_KEYS) {
          const path = route.replace(':coop', coopSlug).replace(/:p/g, encodeURIComponent(key));
          const res = await agent
            .post(path)
            .type('form')
            .send(
              `_csrf=${encodeURIComponent(csrf)}&${encodeURIComponent(key)}=1&status=${encodeURIComponent(key)}&role=${encodeURIComponent(key)}`,
            );
          if (res.status >= 500) failures.push(`${res.status} POST ${path}`);
        }
      }
      assert.deepEqual(failures, []);
    });
  }

  it('never answers 5xx to prototype names as form field names, with or without a CSRF token', async () => {
    const failures: string[] = [];
    const agent = request.agent(app);
    const page = await agent.get('/login');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const body = `_csrf=${encodeURIComponent(csrf)}&${PROTO_KEYS.map((k) => `${encodeURIComponent(k)}=1&${encodeURIComponent(`${k}[x]`)}=2`).join('&')}`;
    for (const path of ['/login', '/signup', '/password/forgot', '/cart/items', '/checkout', '/checkout/place', '/lang/en', '/logout']) {
      for (const b of [body, body.replace(/^_csrf=[^&]*&/, '')]) {
        const res = await agent.post(path).type('form').send(b);
        if (res.status >= 500) failures.push(`${res.status} POST ${path}`);
      }
      const json = await agent
        .post(path)
        .set('Content-Type', 'application/json')
        .send(`{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}},"_csrf":"${csrf}"}`);
      if (json.status >= 500) failures.push(`${json.status} POST ${path} (JSON)`);
    }
    assert.deepEqual(failures, []);
    assert.equal(({} as Record<string, unknown>).isAdmin, undefined, 'Object.prototype was not polluted');
  });
});
