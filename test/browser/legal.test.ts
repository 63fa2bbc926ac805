import assert from 'node:assert/strict';
import { browserAvailable, openDemoShop, step, type Shop } from './browser';

const DOM = { waitUntil: 'domcontentloaded' } as const;

describe('legal pages and the terms box (Chromium)', function () {
  this.timeout(120_000);
  let shop: Shop;

  before(async function () {
    if (!browserAvailable()) return this.skip();
    shop = await openDemoShop();
  });
  after(async () => shop?.close());

  it('reaches the legal pages from the footer by clicking, in both languages', async () => {
    const context = await shop.browser.newContext();
    const page = await context.newPage();
    try {
      for (const [lang, terms, withdrawal] of [
        ['it', 'Condizioni generali di vendita', 'Diritto di recesso'],
        ['en', 'Terms of sale', 'Right of withdrawal'],
      ] as const) {
        await context.addCookies([{ name: 'lang', value: lang, url: shop.baseUrl }]);
        await step(page, `${lang}: footer to the terms`, async () => {
          await page.goto(`${shop.baseUrl}/`, DOM);
          await page.locator('footer a[href="/legal/terms"]').click();
          await page.waitForURL(/\/legal\/terms$/, DOM);
          assert.equal((await page.locator('main h1').textContent())?.trim(), terms);
        });
        await step(page, `${lang}: the terms to the withdrawal page and its form`, async () => {
          await page.locator('nav.legal-nav a[href="/legal/withdrawal"]').click();
          await page.waitForURL(/\/legal\/withdrawal$/, DOM);
          assert.equal((await page.locator('main h1').textContent())?.trim(), withdrawal);
          assert.equal(await page.locator('form[action="/legal/withdrawal"]').count(), 1);
          assert.equal(await page.locator('a[href*="ec.europa.eu/consumers/odr"]').count(), 0);
        });
      }
    } finally {
      await context.close();
    }
  });

  it('without JavaScript, refuses the checkout until the terms box is ticked, keeping what was typed', async () => {
    const context = await shop.browser.newContext({ javaScriptEnabled: false });
    await context.addCookies([{ name: 'lang', value: 'it', url: shop.baseUrl }]);
    const page = await context.newPage();
    try {
      await step(page, 'a cheese in the cart', async () => {
        await page.goto(`${shop.baseUrl}/products/casolet-val-di-sole`, DOM);
        await Promise.all([page.waitForNavigation(DOM), page.locator('form[action="/cart/items"] button[type="submit"]').click()]);
        await page.goto(`${shop.baseUrl}/checkout`, DOM);
      });
      await step(page, 'the box names the withdrawal exception', async () => {
        assert.match(await page.locator('fieldset.terms').innerText(), /prodotti deperibili/);
      });
      await step(page, 'submit without the box', async () => {
        await page.fill('input[name="email"]', 'terms-box@example.org');
        await page.fill('input[name="name"]', 'Giulia Rossi');
        await page.fill('input[name="line1"]', 'Via Roma 12');
        await page.fill('input[name="postalCode"]', '10121');
        await page.fill('input[name="city"]', 'Torino');
        await page.fill('input[name="province"]', 'TO');
        await Promise.all([page.waitForNavigation(DOM), page.locator('form[action="/checkout"] button[type="submit"]').last().click()]);
        assert.match(page.url(), /\/checkout$/);
        assert.equal(await page.locator('#f-terms-box[aria-invalid="true"]').count(), 1);
        assert.equal(await page.inputValue('input[name="line1"]'), 'Via Roma 12');
      });
      await step(page, 'tick it and go on to the review', async () => {
        await page.check('#f-terms-box');
        await Promise.all([page.waitForNavigation(DOM), page.locator('form[action="/checkout"] button[type="submit"]').last().click()]);
        assert.match(page.url(), /\/checkout\/review$/);
      });
    } finally {
      await context.close();
    }
  });
});
