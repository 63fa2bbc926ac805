import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { DEMO_ADMIN, DEMO_MEMBER } from '../../src/demo/demo-data';
import { LEGAL_PAGES } from '../../src/legal';
import { axeProblems, browserAvailable, openDemoShop, signIn, step, type Shop } from './browser';

const DOM = { waitUntil: 'domcontentloaded' } as const;

/** Runs axe on each path; returns the problems by path (empty when all pass). */
async function audit(page: Page, baseUrl: string, paths: string[]): Promise<Record<string, string[]>> {
  const found: Record<string, string[]> = {};
  for (const path of paths) {
    await step(page, `axe ${path}`, async () => {
      const res = await page.goto(baseUrl + path, DOM);
      assert.ok(res && res.status() < 400, `${path} answered ${res?.status()}`);
      const problems = await axeProblems(page);
      if (problems.length) found[path] = problems;
    });
  }
  return found;
}

describe('accessibility (axe-core in Chromium)', function () {
  this.timeout(180_000);
  let shop: Shop;

  before(async function () {
    if (!browserAvailable()) return this.skip();
    shop = await openDemoShop();
  });
  after(async () => shop?.close());

  it('has no serious or critical violations on the shop pages, in Italian and English', async () => {
    const context = await shop.browser.newContext();
    const page = await context.newPage();
    try {
      for (const lang of ['it', 'en']) {
        await context.addCookies([{ name: 'lang', value: lang, url: shop.baseUrl }]);
        const found = await audit(page, shop.baseUrl, [
          '/',
          '/shop',
          '/shop/produce?stock=1&sort=price_asc',
          '/search?q=miele',
          '/products/miele-di-castagno',
          '/coops',
          '/coops/terre-di-puglia',
          '/login',
          '/join',
          ...LEGAL_PAGES.map((p) => `/legal/${p}`),
          '/legal/withdrawal/model-form',
        ]);
        assert.deepEqual(found, {}, `${lang}: ${JSON.stringify(found, null, 2)}`);
      }
      // The cart and checkout with something in the cart.
      await page.goto(`${shop.baseUrl}/products/miele-di-castagno`, DOM);
      await page.locator('form[action="/cart/items"] button[type="submit"]').click();
      await page.waitForLoadState('domcontentloaded');
      assert.deepEqual(await audit(page, shop.baseUrl, ['/cart', '/checkout']), {});
    } finally {
      await context.close();
    }
  });

  it('has no serious or critical violations in the co-op workspace', async () => {
    const context = await shop.browser.newContext();
    const page = await context.newPage();
    try {
      await signIn(page, shop.baseUrl, DEMO_MEMBER.email, DEMO_MEMBER.password);
      const base = `/workspace/${DEMO_MEMBER.coop}`;
      const found = await audit(page, shop.baseUrl, [
        '/workspace',
        base,
        `${base}/goods`,
        `${base}/goods/new`,
        `${base}/orders`,
        `${base}/money`,
        `${base}/members`,
        `${base}/payouts`,
        '/account',
      ]);
      assert.deepEqual(found, {}, JSON.stringify(found, null, 2));
    } finally {
      await context.close();
    }
  });

  it('has no serious or critical violations in the admin pages', async () => {
    const context = await shop.browser.newContext();
    const page = await context.newPage();
    try {
      await signIn(page, shop.baseUrl, DEMO_ADMIN.email, DEMO_ADMIN.password);
      const found = await audit(page, shop.baseUrl, [
        '/admin',
        '/admin/coops',
        '/admin/commission',
        '/admin/payouts',
        '/admin/balances',
        '/admin/audit',
        '/admin/legal',
      ]);
      assert.deepEqual(found, {}, JSON.stringify(found, null, 2));
    } finally {
      await context.close();
    }
  });

  describe('with the keyboard alone', () => {
    it('reaches the skip link first, then searches and adds a product to the cart', async () => {
      const context = await shop.browser.newContext();
      const page = await context.newPage();
      try {
        await page.goto(`${shop.baseUrl}/`, DOM);
        await page.keyboard.press('Tab');
        assert.equal(await page.evaluate('document.activeElement && document.activeElement.className'), 'skip-link');
        await page.keyboard.press('Enter');
        assert.equal(await page.evaluate('location.hash'), '#main');

        await page.focus('#site-q');
        await page.keyboard.type('miele');
        await page.keyboard.press('Enter');
        await page.waitForURL(/\/search\?q=miele/, DOM);

        // Tab to the first product link and follow it.
        for (let i = 0; i < 80; i++) {
          await page.keyboard.press('Tab');
          const href = String(await page.evaluate("(document.activeElement && document.activeElement.getAttribute('href')) || ''"));
          if (href.startsWith('/products/')) break;
        }
        await page.keyboard.press('Enter');
        await page.waitForURL(/\/products\//, DOM);

        // Tab to the add-to-cart button and press it.
        for (let i = 0; i < 80; i++) {
          await page.keyboard.press('Tab');
          // Evaluated in the page (a string, so this file needs no DOM types).
          const inForm = await page.evaluate(
            `(() => { const el = document.activeElement; return !!el && el.tagName === 'BUTTON' && !!el.closest('form[action="/cart/items"]'); })()`,
          );
          if (inForm) break;
        }
        await page.keyboard.press('Enter');
        await page.waitForLoadState('domcontentloaded');
        await page.waitForFunction(`(document.querySelector('.cart-link .badge') || {}).textContent.trim() !== '0'`);
      } finally {
        await context.close();
      }
    });
  });
});
