import type { Express } from 'express';
import assert from 'node:assert/strict';
import request from 'supertest';
import { buildApp, csrfFrom } from '../support/app';
import { ProductModel } from '../../src/catalog/product.model';
import { StockLevelModel, stockId } from '../../src/catalog/stock.model';
import { refreshCatalog } from '../../src/catalog';
import { goodsForm, memberOf, photoJpeg, postGoodsForm, suffix } from './workspace.fixtures';
import { makeCoop } from '../support/factories';

/** The new-product form for members with little digital experience: drafts, photos, one variant at a time. */
describe('the goods form', () => {
  let app: Express;
  before(() => {
    app = buildApp().app;
  });

  async function manager() {
    const coop = await makeCoop();
    const { agent } = await memberOf(app, coop.id, 'manager');
    const page = await agent.get(`/workspace/${coop.slug}/goods/new`).expect(200);
    return { coop, agent, csrf: csrfFrom(page.text), url: `/workspace/${coop.slug}/goods`, page: page.text };
  }

  describe('GET …/goods/new', () => {
    it('starts with the photo, shows one variant block and two ends: publish and save draft', async () => {
      const { page } = await manager();
      const form = page.slice(page.indexOf('<form method="post" enctype="multipart/form-data"'));
      assert.ok(form.length > 0, 'the goods form is multipart');
      const firstField = /<(input|select|textarea)\b(?![^>]*type="hidden")[^>]*>/.exec(form)?.[0] ?? '';
      assert.match(firstField, /type="file"[^>]*name="image"/);
      assert.equal((form.match(/name="vPrice"/g) ?? []).length, 1);
      assert.match(form, /name="intent" value="addVariant"/);
      assert.match(form, /name="intent" value="publish"/);
      assert.match(form, /name="intent" value="draft"/);
      assert.match(form, /IVA inclusa/);
      assert.match(form, /Quanti ne hai pronti da spedire\?/);
    });
  });

  describe('Save draft with only a name', () => {
    it('saves an unpublished product that the listing, search and product page never show', async () => {
      const { coop, agent, csrf, url } = await manager();
      const name = `Zafferanoprova ${suffix()}`;
      const res = await postGoodsForm(agent, url, csrf, { nameIt: name, intent: 'draft', vSku: '', vPrice: '', vStock: '' }).expect(303);
      const p = (await ProductModel.findOne({ coop: coop.id }).lean())!;
      assert.equal(res.headers.location, `/workspace/${coop.slug}/goods/${p._id}/edit`);
      assert.equal(p.name?.it, name);
      assert.equal(p.published, false);
      assert.equal(p.category, undefined);
      assert.equal(p.priceCents, 0);
      assert.deepEqual(p.variants, []);
      assert.equal(p.unit, 'piece');
      assert.equal(p.ivaRate, 10);

      const edit = await agent.get(res.headers.location!).expect(200);
      assert.match(edit.text, new RegExp(`id="f-nameIt"[^>]*value="${name}"`));
      assert.match(edit.text, /class="ws-state ws-state-draft"/);
      assert.match(edit.text, /id="f-vPrice-0"[^>]*value=""/);

      await refreshCatalog();
      const guest = request(app);
      assert.doesNotMatch((await guest.get('/shop').expect(200)).text, /Zafferanoprova/);
      assert.doesNotMatch((await guest.get(`/search?q=${encodeURIComponent('zafferanoprova')}`).expect(200)).text, /Zafferanoprova/);
      await guest.get(`/products/${p.slug}`).expect(404);
    });

    it('refuses a draft without a name, with the message next to the field', async () => {
      const { coop, agent, csrf, url } = await manager();
      const res = await postGoodsForm(agent, url, csrf, { nameIt: '', descriptionIt: 'Solo la descrizione', intent: 'draft' }).expect(422);
      assert.match(res.text, /id="err-nameIt"[^>]*>Dai un nome al prodotto/);
      assert.match(res.text, />Solo la descrizione<\/textarea>/);
      assert.equal(await ProductModel.countDocuments({ coop: coop.id }), 0);
    });
  });

  describe('Publish', () => {
    it('without a photo is refused: 422, the form again with everything typed and the photo message', async () => {
      const { coop, agent, csrf, url } = await manager();
      const res = await postGoodsForm(
        agent,
        url,
        csrf,
        goodsForm({ nameIt: 'Miele di sulla', intent: 'publish', vPrice: ['7,80', ''] }),
      ).expect(422);
      assert.match(res.text, /id="err-image"[^>]*>Aggiungi almeno una foto prima di metterlo in vendita/);
      assert.match(res.text, /id="f-image"[^>]*aria-invalid="true"/);
      assert.match(res.text, /id="f-nameIt"[^>]*value="Miele di sulla"/);
      assert.match(res.text, /id="f-vPrice-0"[^>]*value="7,80"/);
      assert.match(res.text, /id="f-vStock-0"[^>]*value="12"/);
      assert.match(res.text, /<option value="honey" selected>/);
      assert.match(res.text, /Tutto quello che hai scritto è ancora qui/);
      assert.equal(await ProductModel.countDocuments({ coop: coop.id }), 0);
    });

    it('without a category or price says so next to each field', async () => {
      const { coop, agent, csrf, url } = await manager();
      const res = await postGoodsForm(
        agent,
        url,
        csrf,
        goodsForm({ intent: 'publish', category: '', vPrice: ['', ''], vStock: ['3', ''] }),
        await photoJpeg(),
      ).expect(422);
      assert.match(res.text, /id="err-category"/);
      assert.match(res.text, /id="err-vPrice-0"[^>]*>Scrivi il prezzo per metterlo in vendita/);
      // The photo sent is kept for the next try, as a signed hidden field, and shown.
      assert.match(res.text, /name="staged" value="[\w-]+\.[\w-]+"/);
      assert.match(res.text, /<img src="\/media\/products\/[a-f0-9]{32}-320\.webp"/);
      assert.equal(await ProductModel.countDocuments({ coop: coop.id }), 0);
    });

    it('with a photo in the create form puts the product on sale with that photo', async () => {
      const { coop, agent, csrf, url } = await manager();
      await postGoodsForm(
        agent,
        url,
        csrf,
        goodsForm({ nameIt: 'Miele millefiori', intent: 'publish', altIt: 'Il vasetto di miele' }),
        await photoJpeg(),
      ).expect(303);
      const p = (await ProductModel.findOne({ coop: coop.id }).lean())!;
      assert.equal(p.published, true);
      assert.equal(p.images.length, 1);
      assert.match(p.images[0]!.key, /^products\/[a-f0-9]{32}$/);
      assert.deepEqual(p.images[0]!.widths, [320, 640, 960]);
      assert.equal(p.images[0]!.alt?.it, 'Il vasetto di miele');
      await refreshCatalog();
      const page = await request(app).get(`/products/${p.slug}`).expect(200);
      assert.match(page.text, /Miele millefiori/);
    });
  });

  describe('Add another variant, without JS', () => {
    it('shows one more empty block, keeps everything typed and the photo, and saves both variants with the photo', async () => {
      const { coop, agent, csrf, url } = await manager();
      const typed = goodsForm({
        nameIt: 'Olio nuovo',
        category: 'olive-oil',
        vSku: ['LATTA-3L'],
        vPrice: ['39,00'],
        vStock: ['4'],
        vLabelIt: ['Latta da 3 litri'],
        vLabelEn: [''],
        vSize: [''],
        vColour: [''],
        vStockSeen: [''],
        intent: 'addVariant',
      });
      const more = await postGoodsForm(agent, url, csrf, typed, await photoJpeg()).expect(200);
      assert.equal((more.text.match(/name="vPrice"/g) ?? []).length, 2);
      assert.match(more.text, /id="f-vPrice-0"[^>]*value="39,00"/);
      assert.match(more.text, /id="f-vLabelIt-0"[^>]*value="Latta da 3 litri"/);
      assert.match(more.text, /id="f-vSku-0"[^>]*value="LATTA-3L"/);
      assert.match(more.text, /id="f-vPrice-1"[^>]*value=""/);
      assert.match(more.text, /id="f-nameIt"[^>]*value="Olio nuovo"/);
      assert.match(more.text, /<option value="olive-oil" selected>/);
      const staged = /name="staged" value="([^"]+)"/.exec(more.text)?.[1];
      assert.ok(staged, 'the photo travels with the form');
      assert.equal(await ProductModel.countDocuments({ coop: coop.id }), 0);

      await postGoodsForm(agent, url, csrfFrom(more.text), {
        ...typed,
        intent: 'publish',
        staged,
        vSku: ['LATTA-3L', ''],
        vPrice: ['39,00', '14,50'],
        vStock: ['4', '10'],
        vLabelIt: ['Latta da 3 litri', 'Bottiglia da 75 cl'],
        vLabelEn: ['', ''],
        vSize: ['', ''],
        vColour: ['', ''],
        vStockSeen: ['', ''],
      }).expect(303);
      const p = (await ProductModel.findOne({ coop: coop.id }).lean())!;
      assert.equal(p.published, true);
      assert.equal(p.images.length, 1);
      assert.deepEqual(
        p.variants.map((v) => [v.sku, v.priceCents, v.label?.it]),
        [
          ['LATTA-3L', 3900, 'Latta da 3 litri'],
          ['v2', 1450, 'Bottiglia da 75 cl'],
        ],
      );
      assert.equal(p.priceCents, 1450);
      assert.equal((await StockLevelModel.findById(stockId(p._id, 'v2')).lean())?.onHand, 10);
    });

    it("ignores a photo token signed for another co-op's form", async () => {
      const a = await manager();
      const more = await postGoodsForm(a.agent, a.url, a.csrf, goodsForm({ intent: 'addVariant' }), await photoJpeg()).expect(200);
      const staged = /name="staged" value="([^"]+)"/.exec(more.text)![1]!;
      const b = await manager();
      const res = await postGoodsForm(b.agent, b.url, b.csrf, goodsForm({ intent: 'publish', staged })).expect(422);
      assert.match(res.text, /id="err-image"/);
      assert.doesNotMatch(res.text, /name="staged"/);
      assert.equal(await ProductModel.countDocuments({ coop: b.coop.id }), 0);
    });
  });

  describe('the edit form', () => {
    it('shares the layout, removes a photo without losing what was typed, and "take off sale" keeps it as a draft', async () => {
      const { coop, agent, csrf, url } = await manager();
      await postGoodsForm(
        agent,
        url,
        csrf,
        goodsForm({ nameIt: 'Pecorino', category: 'cheese', intent: 'publish' }),
        await photoJpeg(),
      ).expect(303);
      const p = (await ProductModel.findOne({ coop: coop.id }).lean())!;
      const edit = await agent.get(`/workspace/${coop.slug}/goods/${p._id}/edit`).expect(200);
      assert.match(edit.text, /class="ws-state ws-state-on-sale"/);
      assert.match(edit.text, /name="intent" value="publish"[^>]*>Salva le modifiche/);
      const key = p.images[0]!.key;
      const removed = await postGoodsForm(agent, `/workspace/${coop.slug}/goods/${p._id}`, csrfFrom(edit.text), {
        ...goodsForm({ nameIt: 'Pecorino stagionato', category: 'cheese' }),
        removePhoto: key,
      }).expect(200);
      assert.match(removed.text, /id="f-nameIt"[^>]*value="Pecorino stagionato"/);
      assert.equal((await ProductModel.findById(p._id).lean())!.images.length, 0);
      // On sale without a photo now: saving it on sale is refused, taking it off sale is not.
      await postGoodsForm(agent, `/workspace/${coop.slug}/goods/${p._id}`, csrfFrom(removed.text), {
        ...goodsForm({ nameIt: 'Pecorino stagionato', category: 'cheese' }),
        intent: 'publish',
      }).expect(422);
      await postGoodsForm(agent, `/workspace/${coop.slug}/goods/${p._id}`, csrfFrom(removed.text), {
        ...goodsForm({ nameIt: 'Pecorino stagionato', category: 'cheese' }),
        intent: 'draft',
      }).expect(303);
      const after = (await ProductModel.findById(p._id).lean())!;
      assert.equal(after.published, false);
      assert.equal(after.name?.it, 'Pecorino stagionato');
    });
  });
});
