import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import { buildApp } from '../support/app';
import { catalogChanged } from '../../src/catalog';
import { CoopModel } from '../../src/coops/coop.model';
import { makeCoop, makeProduct } from '../support/factories';

describe('public co-op pages', () => {
  let app: Express;
  before(() => {
    app = buildApp().app;
  });

  describe('GET /coops', () => {
    it('lists approved co-ops only', async () => {
      const approved = await makeCoop();
      const pending = await makeCoop({ status: 'pending' });
      const paused = await makeCoop({ status: 'paused' });
      await catalogChanged();
      const res = await request(app).get('/coops').expect(200);
      assert.ok(res.text.includes(`href="/coops/${approved.slug}"`));
      assert.ok(!res.text.includes(`/coops/${pending.slug}`));
      assert.ok(!res.text.includes(`/coops/${paused.slug}`));
    });
  });

  describe('GET /coops/:slug', () => {
    it('shows the story, kind, social type, region, impact figures and products', async () => {
      const coop = await makeCoop({ name: 'Cooperativa Storia Prova', kind: 'craft', socialType: 'A', region: 'Umbria' });
      const product = await makeProduct(coop, { category: 'ceramics', nameIt: 'Piatto dipinto' });
      await catalogChanged();
      const res = await request(app).get(`/coops/${coop.slug}`).expect(200);
      assert.match(res.text, /<h1>Cooperativa Storia Prova<\/h1>/);
      assert.match(res.text, /Storia della cooperativa/);
      assert.match(res.text, /Sartoria e artigianato/);
      assert.match(res.text, /Cooperativa sociale di tipo A/);
      assert.match(res.text, /Umbria/);
      assert.match(res.text, /Lavoratori in percorsi di inserimento<\/dt><dd>4<\/dd>/);
      assert.match(res.text, /Che cosa sostiene il tuo acquisto/);
      assert.ok(res.text.includes(`/products/${product.slug}`));
    });

    it('speaks English to English readers', async () => {
      const coop = await makeCoop({ socialType: 'B' });
      await catalogChanged();
      const res = await request(app).get(`/coops/${coop.slug}`).set('Cookie', 'lang=en').expect(200);
      assert.match(res.text, /Type B social co-op/);
      assert.match(res.text, /Story of co-op/);
    });

    describe('when the co-op is unknown, pending or paused', () => {
      it('responds 404 with a way back', async () => {
        const pending = await makeCoop({ status: 'pending' });
        const paused = await makeCoop();
        await catalogChanged();
        await request(app).get(`/coops/${paused.slug}`).expect(200);
        await CoopModel.updateOne({ _id: paused._id }, { $set: { status: 'paused' } });
        await catalogChanged();
        for (const slug of ['no-such-coop', pending.slug, paused.slug, '%24ne']) {
          const res = await request(app).get(`/coops/${slug}`).expect(404);
          assert.match(res.text, /href="\/"/);
        }
      });
    });
  });
});
