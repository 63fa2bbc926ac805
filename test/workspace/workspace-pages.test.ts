import type { Express } from 'express';
import assert from 'node:assert/strict';
import { buildApp } from '../support/app';
import { ProductModel } from '../../src/catalog/product.model';
import { localeKeys } from '../../src/platform/i18n';
import { memberOf, suffix } from './workspace.fixtures';
import { makeCoop } from '../support/factories';

describe('co-op workspace pages', () => {
  let app: Express;
  before(() => {
    app = buildApp().app;
  });

  it('has the same workspace keys in Italian and English', () => {
    const it = localeKeys('it').filter((k) => k.startsWith('workspace.'));
    const en = localeKeys('en').filter((k) => k.startsWith('workspace.'));
    assert.deepEqual(it, en);
  });

  for (const lang of ['it', 'en']) {
    describe(`in ${lang}`, () => {
      it('shows every page with translated text, no inline script or style, and one h1', async () => {
        const coop = await makeCoop({ status: 'pending' });
        const p = await ProductModel.create({
          coop: coop.id,
          department: 'craft',
          category: 'clothing',
          slug: `camicia-${suffix()}`,
          name: { it: 'Camicia', en: 'Shirt' },
          priceCents: 4900,
          ivaRate: 22,
          variants: [{ sku: 'M', priceCents: 4900 }],
        });
        const { agent } = await memberOf(app, coop.id, 'owner');
        const base = `/workspace/${coop.slug}`;
        for (const path of [
          '/join',
          '/workspace',
          base,
          `${base}/goods`,
          `${base}/goods/new`,
          `${base}/goods/${p._id}/edit`,
          `${base}/goods/import`,
          `${base}/orders`,
          `${base}/orders?show=done`,
          `${base}/money`,
          `${base}/payouts`,
        ]) {
          const res = await agent.get(path).set('Cookie', `lang=${lang}`).expect(200);
          const html = res.text;
          assert.doesNotMatch(html, /\bworkspace\.[a-zA-Z]+\.[a-zA-Z_.]+/, `${path} shows a raw locale key`);
          assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, `${path} has an inline script`);
          assert.doesNotMatch(html, /\sstyle=|\son[a-z]+=/i, `${path} has an inline style or handler`);
          assert.equal((html.match(/<h1[\s>]/g) ?? []).length, 1, `${path} should have one h1`);
          assert.match(html, new RegExp(`<html lang="${lang}"`));
        }
      });
    });
  }
});
