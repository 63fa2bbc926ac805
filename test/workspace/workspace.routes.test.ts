import type { Express } from 'express';
import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { buildApp, csrfFrom } from '../support/app';
import { CoopModel } from '../../src/coops/coop.model';
import { MembershipModel } from '../../src/coops/membership.model';
import { ProductModel } from '../../src/catalog/product.model';
import { StockLevelModel, stockId } from '../../src/catalog/stock.model';
import { formBody, goodsForm, memberOf, photoJpeg, postGoodsForm, signedIn, suffix, tokenFor, vatNumber } from './workspace.fixtures';
import { makeCoop, makeUser } from '../support/factories';
import { catalogChanged } from '../../src/catalog';

describe('co-op workspace', () => {
  let app: Express;
  before(() => {
    app = buildApp().app;
  });

  describe('POST /join', () => {
    const application = (over: Record<string, string> = {}) => ({
      name: `Cooperativa ${suffix()}`,
      legalName: 'Cooperativa Sociale Esempio a r.l.',
      vatNumber: vatNumber(),
      seat: 'Via Roma 1, 73100 Lecce (LE)',
      kind: 'agricultural',
      socialType: 'B',
      region: 'Puglia',
      town: 'Lecce',
      storyIt: 'Coltiviamo ulivi con persone in reinserimento.',
      storyEn: 'We grow olives with people in work integration.',
      members: '12',
      integrationWorkers: '5',
      trainingHours: '',
      supportsIt: '',
      supportsEn: '',
      email: 'info@esempio.test',
      phone: '+39 0832 123456',
      website: '',
      ...over,
    });

    describe('when the form is valid', () => {
      it('creates a pending co-op with the applicant as owner and shows its status', async () => {
        const user = await makeUser();
        const agent = await signedIn(app, user.id);
        const _csrf = await tokenFor(agent);
        const form = application();
        const res = await agent
          .post('/join')
          .type('form')
          .send(formBody({ ...form, _csrf }))
          .expect(303);
        const coop = await CoopModel.findOne({ name: form.name }).lean();
        assert.ok(coop);
        assert.equal(coop.status, 'pending');
        assert.equal(coop.socialType, 'B');
        assert.equal(coop.impact?.members, 12);
        assert.deepEqual([coop.legalName, coop.seat], ['Cooperativa Sociale Esempio a r.l.', 'Via Roma 1, 73100 Lecce (LE)']);
        assert.equal(res.headers.location, `/workspace/${coop.slug}`);
        const m = await MembershipModel.findOne({ coop: coop._id, user: new Types.ObjectId(user.id) }).lean();
        assert.equal(m?.role, 'owner');
        const page = await agent.get(`/workspace/${coop.slug}`).expect(200);
        assert.match(page.text, /in attesa di approvazione/);
      });
    });

    describe('when the VAT number and email are wrong', () => {
      it('responds 422 with the input kept and a message on each field, and creates nothing', async () => {
        const user = await makeUser();
        const agent = await signedIn(app, user.id);
        const _csrf = await tokenFor(agent);
        const form = application({ vatNumber: '12345678901', email: 'not-an-email' });
        const res = await agent
          .post('/join')
          .type('form')
          .send(formBody({ ...form, _csrf }))
          .expect(422);
        assert.match(res.text, /id="f-vatNumber"[^>]*aria-invalid="true"[^>]*aria-describedby="f-vatNumber-hint err-vatNumber"/);
        assert.match(res.text, /id="err-email"/);
        assert.match(res.text, new RegExp(`value="${form.name}"`));
        assert.equal(await CoopModel.countDocuments({ name: form.name }), 0);
      });
    });

    describe('when the application was rejected', () => {
      it("shows the admin's reason", async () => {
        const user = await makeUser();
        const coop = await makeCoop({ status: 'rejected', rejectionReason: 'Manca la visura camerale', appliedBy: user.id });
        await MembershipModel.create({ user: user.id, coop: coop.id, role: 'owner' });
        const agent = await signedIn(app, user.id);
        const res = await agent.get('/join').expect(200);
        assert.match(res.text, /non approvata/);
        assert.match(res.text, /Manca la visura camerale/);
      });
    });
  });

  describe('GET /workspace', () => {
    it('lists only my co-ops', async () => {
      const mine = await makeCoop();
      const other = await makeCoop();
      const { agent } = await memberOf(app, mine.id, 'staff');
      const res = await agent.get('/workspace').expect(200);
      assert.match(res.text, new RegExp(mine.name));
      assert.doesNotMatch(res.text, new RegExp(other.name));
    });
  });

  describe('a member of another co-op', () => {
    it('gets 404 on every workspace route and changes nothing', async () => {
      const target = await makeCoop();
      const [p] = await ProductModel.create([
        {
          coop: target.id,
          department: 'produce',
          category: 'honey',
          slug: `m-${suffix()}`,
          name: { it: 'Miele', en: 'Honey' },
          priceCents: 900,
          ivaRate: 10,
          variants: [{ sku: 'default', priceCents: 900 }],
        },
      ]);
      const before = JSON.stringify(await ProductModel.findById(p!._id).lean());
      const own = await makeCoop();
      const { agent } = await memberOf(app, own.id, 'owner');
      const _csrf = await tokenFor(agent);
      const base = `/workspace/${target.slug}`;
      const gets = [
        '',
        '/goods',
        '/goods/new',
        `/goods/${p!._id}/edit`,
        '/goods.csv',
        '/goods/import',
        '/payouts',
        '/payouts/refresh',
        '/payouts/return',
        '/orders',
        '/money',
      ];
      for (const path of gets) {
        const res = await agent.get(base + path);
        assert.equal(res.status, 404, `GET ${path}`);
      }
      const posts = [
        '/goods',
        `/goods/${p!._id}`,
        `/goods/${p!._id}/duplicate`,
        `/goods/${p!._id}/archive`,
        '/payouts/connect',
        '/payouts/dashboard',
        '/payouts/refresh-state',
        `/goods/${p!._id}/images/remove`,
        `/goods/import/${'a'.repeat(32)}/apply`,
        `/orders/${p!._id}:${p!._id}/status`,
      ];
      for (const path of posts) {
        const res = await agent
          .post(base + path)
          .type('form')
          .send(formBody({ ...goodsForm(), _csrf, archived: 'true' }));
        assert.equal(res.status, 404, `POST ${path}`);
      }
      for (const path of [`/goods/${p!._id}/images`, '/goods/import']) {
        const res = await agent
          .post(`${base}${path}?_csrf=${encodeURIComponent(_csrf)}`)
          .attach(path.endsWith('import') ? 'file' : 'image', Buffer.from('product,sku,price\n'), 'x.csv');
        assert.equal(res.status, 404, `POST ${path} (multipart)`);
      }
      // Even with the other co-op's product id under its own workspace, the product is not found.
      await agent
        .post(`/workspace/${own.slug}/goods/${p!._id}/archive`)
        .type('form')
        .send(formBody({ _csrf, archived: 'true' }))
        .expect(404);
      assert.equal(JSON.stringify(await ProductModel.findById(p!._id).lean()), before);
      assert.equal(await ProductModel.countDocuments({ coop: target.id }), 1);
    });
  });

  describe('a staff member', () => {
    it('gets 403 on manager and owner actions', async () => {
      const coop = await makeCoop();
      const { agent } = await memberOf(app, coop.id, 'staff');
      const _csrf = await tokenFor(agent);
      const base = `/workspace/${coop.slug}`;
      await agent.get(base).expect(200);
      for (const path of ['/goods', '/goods/new', '/money', '/payouts']) assert.equal((await agent.get(base + path)).status, 403, path);
      for (const path of ['/goods', '/payouts/connect']) {
        assert.equal(
          (
            await agent
              .post(base + path)
              .type('form')
              .send(formBody({ ...goodsForm(), _csrf }))
          ).status,
          403,
          path,
        );
      }
      assert.equal(await ProductModel.countDocuments({ coop: coop.id }), 0);
    });

    it('does not see the goods and payouts links', async () => {
      const coop = await makeCoop();
      const { agent } = await memberOf(app, coop.id, 'staff');
      const res = await agent.get(`/workspace/${coop.slug}`).expect(200);
      assert.doesNotMatch(res.text, /\/goods"/);
      assert.doesNotMatch(res.text, /\/payouts"/);
    });
  });

  describe('a manager', () => {
    it("gets 403 on the owner's payouts connection", async () => {
      const coop = await makeCoop();
      const { agent } = await memberOf(app, coop.id, 'manager');
      const _csrf = await tokenFor(agent);
      await agent.post(`/workspace/${coop.slug}/payouts/connect`).type('form').send(formBody({ _csrf })).expect(403);
      assert.equal((await CoopModel.findById(coop.id).lean())?.stripeAccountId, undefined);
    });
  });

  describe('goods', () => {
    async function managerWithCoop(status: 'approved' | 'pending' = 'approved') {
      const coop = await makeCoop({ status });
      const { agent } = await memberOf(app, coop.id, 'manager');
      return { coop, agent, _csrf: await tokenFor(agent, `/workspace/${coop.slug}/goods/new`) };
    }

    describe('POST /workspace/:coopSlug/goods', () => {
      it('creates the product, found by the search, with its stock', async () => {
        const { coop, agent, _csrf } = await managerWithCoop();
        // Publishing needs a photo: it comes with the form itself.
        const form = goodsForm({ intent: 'publish', seasonMonths: ['9', '10'], certifications: ['organic'] });
        const res = await postGoodsForm(agent, `/workspace/${coop.slug}/goods`, _csrf, form, await photoJpeg()).expect(303);
        const p = await ProductModel.findOne({ coop: coop.id }).lean();
        assert.ok(p);
        assert.equal(res.headers.location, `/workspace/${coop.slug}/goods/${p._id}/edit`);
        assert.equal(p.priceCents, 950);
        assert.equal(p.department, 'produce');
        assert.equal(p.published, true);
        assert.equal(p.images.length, 1);
        assert.deepEqual(p.seasonMonths, [9, 10]);
        assert.deepEqual(p.certifications, ['organic']);
        // Found by the shop's search, by a word of its name and one of its description. The co-op was made
        // approved in the database, not by an admin's approval, which reloads the catalogue's co-ops: do that here.
        await catalogChanged();
        const found = await agent.get(`/search?q=${encodeURIComponent(`${p.name?.it} castagno`)}`).expect(200);
        assert.ok(found.text.includes(`/products/${p.slug}`));
        assert.equal(p.traceability?.lot, 'L42');
        assert.equal((await StockLevelModel.findById(stockId(p._id, 'default')).lean())?.onHand, 12);
      });

      it('refuses a bad price with 422 and the message next to the field', async () => {
        const { coop, agent, _csrf } = await managerWithCoop();
        const res = await agent
          .post(`/workspace/${coop.slug}/goods`)
          .type('form')
          .send(formBody({ ...goodsForm({ vPrice: ['dieci', ''] }), _csrf }))
          .expect(422);
        assert.match(res.text, /id="f-vPrice-0"[^>]*value="dieci"[^>]*aria-invalid="true"/);
        assert.match(res.text, /id="err-vPrice-0"/);
        assert.equal(await ProductModel.countDocuments({ coop: coop.id }), 0);
      });

      it('refuses to publish while the co-op is pending', async () => {
        const { coop, agent, _csrf } = await managerWithCoop('pending');
        await agent
          .post(`/workspace/${coop.slug}/goods`)
          .type('form')
          .send(formBody({ ...goodsForm({ published: 'on' }), _csrf }))
          .expect(422);
        assert.equal(await ProductModel.countDocuments({ coop: coop.id }), 0);
        await agent
          .post(`/workspace/${coop.slug}/goods`)
          .type('form')
          .send(formBody({ ...goodsForm(), _csrf }))
          .expect(303);
        assert.equal(await ProductModel.countDocuments({ coop: coop.id, published: false }), 1);
      });
    });

    describe('POST /workspace/:coopSlug/goods/:id', () => {
      it('keeps units a checkout took while the form was open', async () => {
        const { coop, agent, _csrf } = await managerWithCoop();
        await agent
          .post(`/workspace/${coop.slug}/goods`)
          .type('form')
          .send(formBody({ ...goodsForm(), _csrf }))
          .expect(303);
        const p = (await ProductModel.findOne({ coop: coop.id }).lean())!;
        const edit = await agent.get(`/workspace/${coop.slug}/goods/${p._id}/edit`).expect(200);
        assert.match(edit.text, /name="vStockSeen" value="12"/);
        // A checkout takes 2 units while the member edits: 12 → 10.
        await StockLevelModel.updateOne({ _id: stockId(p._id, 'default') }, { $inc: { onHand: -2 } });
        // The member counted 20 on the shelf (+8 from what the form showed).
        await agent
          .post(`/workspace/${coop.slug}/goods/${p._id}`)
          .type('form')
          .send(
            formBody({
              ...goodsForm({ nameIt: 'Miele nuovo', vStock: ['20', ''], vStockSeen: ['12', ''], vPrice: ['11', ''] }),
              _csrf: csrfFrom(edit.text),
            }),
          )
          .expect(303);
        assert.equal((await StockLevelModel.findById(stockId(p._id, 'default')).lean())?.onHand, 18);
        const after = (await ProductModel.findById(p._id).lean())!;
        assert.equal(after.name?.it, 'Miele nuovo');
        assert.equal(after.priceCents, 1100);
      });
    });

    describe('duplicate and archive', () => {
      it('duplicates as an unpublished copy without stock, and archives off sale', async () => {
        const { coop, agent, _csrf } = await managerWithCoop();
        await postGoodsForm(agent, `/workspace/${coop.slug}/goods`, _csrf, goodsForm({ published: 'on' }), await photoJpeg()).expect(303);
        const p = (await ProductModel.findOne({ coop: coop.id }).lean())!;
        assert.equal(p.published, true);
        const dup = await agent.post(`/workspace/${coop.slug}/goods/${p._id}/duplicate`).type('form').send(formBody({ _csrf })).expect(303);
        const copyId = /goods\/([a-f0-9]{24})\/edit/.exec(String(dup.headers.location))![1]!;
        const copy = (await ProductModel.findById(copyId).lean())!;
        assert.equal(copy.published, false);
        assert.notEqual(copy.slug, p.slug);
        assert.match(copy.name?.it ?? '', /\(copia\)$/);
        assert.equal((await StockLevelModel.findById(stockId(copyId, 'default')).lean())?.onHand, 0);
        await agent
          .post(`/workspace/${coop.slug}/goods/${p._id}/archive`)
          .type('form')
          .send(formBody({ _csrf, archived: 'true' }))
          .expect(303);
        const archived = (await ProductModel.findById(p._id).lean())!;
        assert.equal(archived.archived, true);
        assert.equal(archived.published, false);
      });
    });
  });
});
