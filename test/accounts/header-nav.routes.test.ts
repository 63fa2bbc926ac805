import assert from 'node:assert/strict';
import type { Express } from 'express';
import { MembershipModel } from '../../src/coops/membership.model';
import { buildApp } from '../support/app';
import { makeCoop, makeUser } from '../support/factories';
import { client, logIn } from './helpers';

/** The links of the header's account menu, in page order. */
function menuLinks(html: string): string[] {
  const menu = /<details class="menu">([\s\S]*?)<\/details>/.exec(html)?.[1] ?? '';
  return [...menu.matchAll(/<a href="([^"]+)"/g)].map((m) => m[1]!);
}

describe('the header on every page', () => {
  let app: Express;
  before(() => {
    app = buildApp().app;
  });

  describe('for a visitor', () => {
    it('offers sign-in and the cart, and no account menu', async () => {
      const res = await client(app).get('/').expect(200);
      assert.match(res.text, /<a href="\/login">Accedi<\/a>/);
      assert.match(res.text, /class="cart-link" href="\/cart"/);
      assert.deepEqual(menuLinks(res.text), []);
    });
  });

  describe('for a signed-in buyer', () => {
    it('links to "my orders" and the account, marking the current one', async () => {
      const b = client(app);
      await logIn(b, (await makeUser()).email);
      const home = await b.get('/').expect(200);
      assert.deepEqual(menuLinks(home.text), ['/account/orders', '/account']);
      assert.match(home.text, /<a href="\/account\/orders" >I miei ordini<\/a>/);
      const orders = await b.get('/account/orders').expect(200);
      assert.match(orders.text, /<a href="\/account\/orders" aria-current="page">I miei ordini<\/a>/);
    });
  });

  describe('for a co-op member', () => {
    it('adds the workspace', async () => {
      const user = await makeUser();
      await MembershipModel.create({ user: user.id, coop: (await makeCoop())._id, role: 'staff' });
      const b = client(app);
      await logIn(b, user.email);
      const res = await b.get('/').expect(200);
      assert.deepEqual(menuLinks(res.text), ['/account/orders', '/account', '/workspace']);
    });
  });

  describe('for an admin', () => {
    it('adds the admin pages', async () => {
      const b = client(app);
      await logIn(b, (await makeUser({ isAdmin: true })).email);
      const res = await b.get('/').expect(200);
      assert.deepEqual(menuLinks(res.text), ['/account/orders', '/account', '/admin']);
    });
  });
});
