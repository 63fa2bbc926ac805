import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { seedDemo } from '../../src/demo/seed';
import { createLogger } from '../../src/platform/logger';
import { refreshCatalog } from '../../src/catalog';
import { browserAvailable, openShop, step, type Shop } from './browser';

/** Wait for the document, not for every lazy image, before the next step. */
const DOM = { waitUntil: 'domcontentloaded' } as const;

/** Adds the first purchasable product of the current listing page to the cart; returns its co-op's name. */
async function addFirstProductToCart(page: Page, label: string): Promise<string> {
  await step(page, `${label}: open a product`, async () => {
    await page.locator('main a[href^="/products/"]').first().click();
    await page.waitForURL(/\/products\//, DOM);
  });
  return step(page, `${label}: add to cart`, async () => {
    const coop = (await page.locator('main a[href^="/coops/"]').first().textContent())?.trim() ?? '';
    await page.locator('form[action="/cart/items"] button[type="submit"]').click();
    await page.waitForLoadState('domcontentloaded');
    return coop;
  });
}

async function buyAsGuest(page: Page, baseUrl: string, lang: 'it' | 'en') {
  await step(page, 'home', async () => {
    await page.goto(`${baseUrl}/`);
    if (lang === 'en') {
      await page.locator('a[hreflang="en"]').click();
      await page.waitForSelector('html[lang="en"]');
    }
  });
  await step(page, 'search honey', async () => {
    await page.fill('#site-q', lang === 'it' ? 'miele' : 'honey');
    await page.press('#site-q', 'Enter');
    await page.waitForURL(/\/search\?q=/, DOM);
  });
  const firstCoop = await addFirstProductToCart(page, 'search result');

  await step(page, 'filter the craft department', async () => {
    await page.goto(`${baseUrl}/shop/craft`);
    await page.check('#f-stock');
    await page.selectOption('#f-region', 'Umbria');
    await page.locator('form[method="get"] button[type="submit"]').last().click();
    await page.waitForURL(/region=Umbria/, DOM);
  });
  const secondCoop = await addFirstProductToCart(page, 'filtered listing');
  assert.notEqual(firstCoop, secondCoop, 'goods from two co-ops');

  await step(page, 'cart shows both co-ops', async () => {
    await page.goto(`${baseUrl}/cart`);
    const text = await page.locator('main').innerText();
    assert.ok(text.includes(firstCoop) && text.includes(secondCoop), text);
    await page.locator('main a[href="/checkout"]').click();
    await page.waitForURL(/\/checkout$/, DOM);
  });
  await step(page, 'checkout form', async () => {
    await page.fill('input[name="email"]', `guest-${Date.now()}@example.org`);
    await page.fill('input[name="name"]', 'Giulia Rossi');
    await page.fill('input[name="line1"]', 'Via Roma 12');
    await page.fill('input[name="postalCode"]', '10121');
    await page.fill('input[name="city"]', 'Torino');
    await page.fill('input[name="province"]', 'TO');
    await page.selectOption('select[name="country"]', 'IT');
    await page.locator('form[action="/checkout"] button[type="submit"]').last().click();
    await page.waitForURL(/\/checkout\/review/, DOM);
  });
  await step(page, 'review and pay with the demo provider', async () => {
    const review = await page.locator('main').innerText();
    assert.ok(review.includes(firstCoop) && review.includes(secondCoop), review);
    await page.locator('form[action="/checkout/place"] button[type="submit"]').click();
    await page.waitForURL(/\/demo-pay\//, DOM);
    await page.locator('form[action$="/pay"] button[type="submit"]').click();
    await page.waitForURL((u) => !u.pathname.startsWith('/demo-pay/'), DOM);
  });
  await step(page, 'the order page', async () => {
    if (!/\/orders\/view\//.test(page.url())) {
      await page.locator('main a[href*="/orders/view/"]').first().click();
      await page.waitForURL(/\/orders\/view\//, DOM);
    }
    const text = await page.locator('main').innerText();
    assert.match(text, /FIL-\d{4}-\d+/);
    assert.ok(text.includes(firstCoop) && text.includes(secondCoop), text);
  });
}

describe('browser journeys (Chromium)', function () {
  this.timeout(120_000);
  let shop: Shop;

  before(async function () {
    if (!browserAvailable()) return this.skip();
    await seedDemo(createLogger('silent', false));
    await refreshCatalog();
    shop = await openShop();
  });
  after(async () => shop?.close());

  for (const lang of ['it', 'en'] as const) {
    describe(`a guest (${lang})`, () => {
      it('finds goods from two co-ops by search and filters, pays with the demo provider and sees the order', async () => {
        const context = await shop.browser.newContext({ locale: 'it-IT' });
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
        try {
          await buyAsGuest(page, shop.baseUrl, lang);
        } finally {
          await context.close();
        }
        assert.deepEqual(errors.filter((e) => /Content Security Policy/.test(e)), [], 'no CSP violations');
      });
    });
  }
});
