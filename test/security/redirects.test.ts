import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import { safeNext } from '../../src/platform/security';
import { buildApp } from '../support/app';
import { signedIn } from '../admin/helpers';
import { makeUser } from '../support/factories';

/**
 * Open redirects: `?next=` must never send the browser to another site,
 * whatever spelling reaches the server. Each payload is judged by where a
 * browser would go: the Location resolved against our own origin.
 */
const OFF_SITE = [
  'https://evil.example/',
  '//evil.example',
  '///evil.example',
  '/\\evil.example',
  '\\/evil.example',
  '/./evil.example/../../',
  '/.//evil.example',
  '/%2e//evil.example',
  '/%2E//evil.example',
  '/..//evil.example',
  '/../..//evil.example',
  '/.%2e//evil.example',
  '/%2e%2e//evil.example',
  '/a/..//evil.example',
  '/\t/evil.example',
  '/\n/evil.example',
  '/\\/evil.example',
  '/\\\\evil.example',
  'http:evil.example',
  'javascript:alert(1)',
  ' //evil.example',
  '/%09/evil.example',
];

const staysHome = (location: string | undefined) => {
  assert.ok(location, 'a Location header');
  const url = new URL(location, 'http://shop.example');
  assert.equal(url.host, 'shop.example', `Location ${JSON.stringify(location)} leaves the site`);
};

describe('attacks: open redirects through ?next=', () => {
  let app: Express;
  let signedInAgent: Awaited<ReturnType<typeof signedIn>>;
  before(async () => {
    app = buildApp().app;
    signedInAgent = await signedIn(app, (await makeUser()).id);
  });

  describe('safeNext', () => {
    for (const payload of OFF_SITE) {
      it(`keeps ${JSON.stringify(payload)} on our own origin`, () => staysHome(safeNext(payload)));
    }
    it('keeps an ordinary path with its query and fragment', () => {
      assert.equal(safeNext('/shop/produce?region=Puglia#list'), '/shop/produce?region=Puglia#list');
      assert.equal(safeNext('/products/./miele'), '/products/miele');
    });
    it('falls back for anything that is not a string', () => {
      assert.equal(safeNext(['/a', '/b']), '/');
      assert.equal(safeNext({ toString: () => '//evil.example' }), '/');
    });
  });

  for (const payload of OFF_SITE) {
    it(`the language switch stays on the site for next=${JSON.stringify(payload)}`, async () => {
      const res = await request(app)
        .get(`/lang/en?next=${encodeURIComponent(payload)}`)
        .expect(303);
      staysHome(res.headers.location);
    });
    it(`the login page of a signed-in user stays on the site for next=${JSON.stringify(payload)}`, async () => {
      const res = await signedInAgent.get(`/login?next=${encodeURIComponent(payload)}`).expect(303);
      staysHome(res.headers.location);
    });
  }

  it('raw, unencoded payloads in the URL stay on the site too', async () => {
    for (const raw of ['/./', '/%2e/', '/../', '/.%2e/']) {
      const res = await request(app).get(`/lang/en?next=${raw}/evil.example`);
      staysHome(res.headers.location);
    }
  });
});
