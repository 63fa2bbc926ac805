import assert from 'node:assert/strict';
import type { Express } from 'express';
import mongoose from 'mongoose';
import request from 'supertest';
import { buildApp, csrfFrom } from '../support/app';
import { Jar, comparable } from '../support/jar';
import { makeCoop, makeListedProduct, makeProduct, makeUser, type TestCoop, type TestProduct } from '../support/factories';
import { MembershipModel, type MemberRole } from '../../src/coops/membership.model';
import { ProductModel } from '../../src/catalog/product.model';
import { rightsChanged } from '../../src/accounts/accounts.service';
import { endAllSessionsOf } from '../../src/accounts/session';
import type { FrontDoor } from '../../src/platform/front-door';

/**
 * A member's workspace pages, kept per member and answered at the front
 * door (src/workspace/kept-pages.ts), with the counters kept a minute so
 * that only what the tests change moves them.
 */
describe('a member’s kept workspace pages, answered at the front door', () => {
  const env = { WORKSPACE_GLANCE_SECONDS: '60' };
  let app: Express;
  /** A second app process on the same database. */
  let other: Express;
  let door: FrontDoor;
  let coop: TestCoop;
  let product: TestProduct;

  before(async () => {
    app = buildApp({ env }).app;
    other = buildApp({ env }).app;
    door = app.get('front door') as FrontDoor;
    coop = await makeCoop();
    product = await makeProduct(coop, { stock: 5 });
  });

  /** GET with the jar's cookies (less those named), taking what the response sets; and whether the front door answered. */
  async function get(jar: Jar, path: string, opts: { without?: string[]; on?: Express } = {}) {
    const before = door.answered;
    const res = await request(opts.on ?? app)
      .get(path)
      .set('Accept-Encoding', 'gzip')
      .set('Cookie', jar.header(opts.without));
    jar.take(res);
    return { res, early: door.answered > before };
  }

  /** A member of the co-op with `role`, signed in through the login form, who has seen the sign-in's message. */
  async function member(role: MemberRole) {
    const user = await makeUser();
    await MembershipModel.create({ user: user.id, coop: coop.id, role });
    const jar = new Jar();
    const login = await get(jar, '/login');
    const res = await request(app)
      .post('/login')
      .set('Cookie', jar.header())
      .type('form')
      .send({ _csrf: csrfFrom(login.res.text), email: user.email, password: user.password })
      .expect(303);
    jar.take(res);
    await get(jar, '/workspace');
    return { user, jar };
  }

  /** Archives the product with the token of a page the member was shown (a form of the goods list): a change with a message. */
  async function archiveWith(jar: Jar, page: { text: string }) {
    const res = await request(app)
      .post(`/workspace/${coop.slug}/goods/${String(product._id)}/archive`)
      .set('Cookie', jar.header())
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    assert.equal(res.status, 303, 'archived');
    jar.take(res);
  }

  const home = () => `/workspace/${coop.slug}`;
  const goods = () => `/workspace/${coop.slug}/goods`;

  it('answers a member’s co-op home and goods list as the chain does: same headers, same page, their own token', async () => {
    const { jar } = await member('manager');
    for (const path of [home(), goods()]) {
      const first = await get(jar, path);
      assert.equal(first.early, false, `${path}: the first view is rendered`);
      // Without the version cookie the session is read from the store: the chain answers, from the kept page.
      const chain = await get(jar, path, { without: ['filiera.sv'] });
      const early = await get(jar, path);
      assert.equal(chain.early, false);
      assert.equal(early.early, true, `${path}: the front door answered`);
      assert.equal(early.res.status, 200);
      assert.deepEqual(comparable(early.res), comparable(chain.res), path);
      assert.equal(early.res.text, chain.res.text, path);
      assert.equal(early.res.text, first.res.text, `${path}: the page as rendered`);
      assert.equal(early.res.headers['cache-control'], 'private, no-store');
    }
    // The token in the kept page is this member's: a form sent with it is accepted (archiving the product).
    const page = await get(jar, goods());
    assert.equal(page.early, true);
    await archiveWith(jar, page.res);
    const after = await get(jar, goods());
    assert.equal(after.early, false, 'the member’s own change: the page is made again');
    await ProductModel.updateOne({ _id: product._id }, { $set: { archived: false } });
  });

  it('keeps nothing of one member for another: each gets their own page', async () => {
    const a = await member('manager');
    const b = await member('manager');
    await get(a.jar, goods());
    const theirs = await get(b.jar, goods());
    assert.equal(theirs.early, false, 'another member: rendered for them');
    assert.notEqual(csrfFrom(theirs.res.text), csrfFrom((await get(a.jar, goods())).res.text));
  });

  it('loses a removed member at once, whichever process removed them, even with fifty pages asked at once', async () => {
    const { user, jar } = await member('manager');
    await get(jar, home());
    assert.equal((await get(jar, home())).early, true);
    // Removed by an owner through the other process: the write, and the rights version moved around it (members.service).
    await rightsChanged(user.id);
    await MembershipModel.deleteOne({ user: user.id, coop: coop.id });
    await rightsChanged(user.id);
    const pages = await Promise.all(Array.from({ length: 50 }, () => get(jar, home())));
    for (const p of pages) {
      assert.equal(p.res.status, 404, 'no co-op workspace for them any more');
      assert.doesNotMatch(p.res.text, new RegExp(coop.name));
    }
  });

  it('gives a demoted manager’s goods list a 403 on the next page', async () => {
    const { user, jar } = await member('manager');
    await get(jar, goods());
    assert.equal((await get(jar, goods())).early, true);
    await rightsChanged(user.id);
    await MembershipModel.updateOne({ user: user.id, coop: coop.id }, { $set: { role: 'staff' } });
    await rightsChanged(user.id);
    const next = await get(jar, goods());
    assert.equal(next.res.status, 403);
    assert.equal(next.early, false);
    const stillStaff = await get(jar, home());
    assert.equal(stillStaff.res.status, 200, 'the co-op home stays theirs as staff');
  });

  it('shows a product edited through another app process on the next goods page', async () => {
    const { jar } = await member('manager');
    await get(jar, goods());
    assert.equal((await get(jar, goods())).early, true);
    const doc = await ProductModel.findById(product._id);
    doc!.name = { it: 'Miele rinominato altrove', en: 'Honey renamed elsewhere' };
    await doc!.save(); // moves the co-op's goods stamp, as any product write does
    const next = await get(jar, goods());
    assert.equal(next.early, false, 'the stamp moved: the page is made again');
    assert.match(next.res.text, /Miele rinominato altrove/);
    const again = await get(jar, goods());
    assert.equal(again.early, true, 'and kept again');
    assert.match(again.res.text, /Miele rinominato altrove/);
  });

  it('shows a cart change made through another app process in the header of the next page', async () => {
    const { jar } = await member('staff');
    await get(jar, home());
    assert.equal((await get(jar, home())).early, true);
    const listed = await makeListedProduct(await makeCoop(), { stock: 9 });
    const page = await get(jar, `/products/${listed.slug}`, { on: other });
    const add = await request(other)
      .post('/cart/items')
      .set('Cookie', jar.header())
      .type('form')
      .send({ _csrf: csrfFrom(page.res.text), productId: String(listed._id), sku: 'default', quantity: '3' })
      .expect(303);
    jar.take(add);
    await get(jar, '/cart', { on: other }); // the add's message, shown there
    const next = await get(jar, home());
    assert.match(next.res.text, /class="badge"[^>]*>3</);
    const again = await get(jar, home());
    assert.equal(again.early, true);
    assert.match(again.res.text, /class="badge"[^>]*>3</);
  });

  it('serves no session ended elsewhere (a password reset, a sign-out everywhere)', async () => {
    const { user, jar } = await member('manager');
    await get(jar, home());
    assert.equal((await get(jar, home())).early, true);
    await endAllSessionsOf(user.id);
    const next = await get(jar, home());
    assert.equal(next.early, false);
    assert.notEqual(next.res.status, 200, 'not the workspace');
    assert.doesNotMatch(next.res.text, new RegExp(coop.name));
  });

  it('writes nothing to the session store for the pages it answers', async () => {
    const { jar } = await member('manager');
    await get(jar, goods());
    await get(jar, home());
    const sid = decodeURIComponent(jar.cookies.get('filiera.sid')!.split('=')[1]!).slice(2).split('.')[0]!;
    const sessions = mongoose.connection.collection('sessions');
    const before = await sessions.findOne({ _id: sid as never });
    assert.ok(before);
    for (let i = 0; i < 5; i++) assert.equal((await get(jar, i % 2 ? home() : goods())).early, true);
    assert.deepEqual(await sessions.findOne({ _id: sid as never }), before);
  });

  it('leaves to the chain a page with a query string, and a member with a message to show', async () => {
    const { jar } = await member('manager');
    await get(jar, `${goods()}?x=1`);
    assert.equal((await get(jar, `${goods()}?x=1`)).early, false);
    await get(jar, goods());
    const page = await get(jar, goods());
    assert.equal(page.early, true);
    // A change with a message: the member's next page shows it, from the chain.
    await archiveWith(jar, page.res);
    const shown = await get(jar, goods());
    assert.equal(shown.early, false);
    assert.match(shown.res.text, /class="flash/);
    await ProductModel.updateOne({ _id: product._id }, { $set: { archived: false } });
  });
});
