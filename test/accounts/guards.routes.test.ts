import type { Express } from 'express';
import assert from 'node:assert/strict';
import { buildApp } from '../support/app';
import { UserModel } from '../../src/accounts/user.model';
import { client, logIn } from './helpers';
import { makeUser } from '../support/factories';

describe('GET /admin', () => {
  let app: Express;
  before(() => {
    app = buildApp().app;
  });

  describe('for a visitor', () => {
    it('redirects to the login page, coming back after', async () => {
      const res = await client(app).get('/admin').expect(303);
      assert.equal(res.headers.location, '/login?next=%2Fadmin');
    });
  });

  describe('for a consumer', () => {
    it('responds 403', async () => {
      const b = client(app);
      await logIn(b, (await makeUser()).email);
      await b.get('/admin').expect(403);
    });
  });

  describe('for an admin whose right is revoked', () => {
    it('responds 403 on the next request of the live session', async () => {
      const admin = await makeUser({ isAdmin: true });
      const b = client(app);
      await logIn(b, admin.email);
      const first = await b.get('/admin');
      assert.notEqual(first.status, 403);
      await UserModel.updateOne({ _id: admin.id }, { $set: { isAdmin: false }, $inc: { rightsVersion: 1 } });
      await b.get('/admin').expect(403);
    });
  });
});
