import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { MembershipModel } from '../../src/coops/membership.model';
import { makeCoop, makeListedProduct, makeUser, unique, PASSWORD } from '../support/factories';
import { axeProblems, browserAvailable, openShop, PHONE, signIn, sidewaysOverflow, step, type Shop } from './browser';

const DOM = { waitUntil: 'domcontentloaded' } as const;

async function submit(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForNavigation(DOM), page.locator(selector).click()]);
}

async function noSeriousAxe(page: Page, where: string): Promise<void> {
  const problems = await axeProblems(page);
  assert.deepEqual(problems, [], `${where}: ${problems.join('; ')}`);
}

/**
 * Issue 20's journey: a co-op manager makes a code funded by the co-op; a
 * guest uses it in a cart with goods of two co-ops; the review shows what
 * each co-op receives after its own discount, and the receipt shows who
 * gave what. axe finds nothing serious or critical on any of those pages.
 */
describe('browser: a co-op discount code in a two-co-op cart (Chromium)', function () {
  this.timeout(120_000);
  let shop: Shop;

  before(async function () {
    if (!browserAvailable()) return this.skip();
    shop = await openShop();
  });
  after(async () => shop?.close());

  it('the co-op makes a code; a buyer uses it; the review and the receipt show the split', async () => {
    const orto = await makeCoop({ name: `Orto ${unique()}`, shipping: { flatCents: 690, freeOverCents: 0 } });
    const telaio = await makeCoop({ name: `Telaio ${unique()}`, shipping: { flatCents: 490, freeOverCents: 0 } });
    const honey = await makeListedProduct(orto, { priceCents: 1250, stock: 20 });
    const bag = await makeListedProduct(telaio, { priceCents: 3000, stock: 20, category: 'bags-accessories', ivaRate: 22 });
    const manager = await makeUser();
    await MembershipModel.create({ user: manager.id, coop: orto._id, role: 'manager' });
    const code = `ORTO${unique().toUpperCase().slice(0, 6)}`;

    const coopPage = await (await shop.browser.newContext({ locale: 'it-IT' })).newPage();
    await step(coopPage, 'the manager makes a 20 % code on the co-op goods', async () => {
      await signIn(coopPage, shop.baseUrl, manager.email, PASSWORD);
      await coopPage.goto(`${shop.baseUrl}/workspace/${orto.slug}/promotions`, DOM);
      await noSeriousAxe(coopPage, 'workspace promotions');
      await coopPage.fill('#pf-code', code);
      await coopPage.fill('#pf-name', 'Raccolto di stagione');
      await coopPage.check('input[name="valueKind"][value="percent"]');
      await coopPage.fill('#pf-percent', '20');
      await coopPage.fill('#pf-maxUses', '50');
      await submit(coopPage, 'form.promo-form button[type="submit"]');
      const text = await coopPage.locator('main').innerText();
      assert.ok(text.includes(code), text);
      await noSeriousAxe(coopPage, 'workspace promotions after creating');
    });

    const page = await (await shop.browser.newContext({ locale: 'it-IT' })).newPage();
    await step(page, 'a guest puts goods of both co-ops in the cart and enters the code', async () => {
      for (const p of [honey, bag]) {
        await page.goto(`${shop.baseUrl}/products/${p.slug}`, DOM);
        await submit(page, 'form[action="/cart/items"] button[type="submit"]');
      }
      await page.goto(`${shop.baseUrl}/cart`, DOM);
      await page.fill('#promo-code', 'nope-nope');
      await submit(page, 'form[action="/cart/code"] button[type="submit"]');
      assert.ok((await page.locator('#promo-code-error').innerText()).includes('non esiste'));
      await noSeriousAxe(page, 'cart with a refused code');
      await page.fill('#promo-code', code.toLowerCase());
      await submit(page, 'form[action="/cart/code"] button[type="submit"]');
      const text = await page.locator('main').innerText();
      // 20 % of 12,50 € = 2,50 €, given by the co-op that made the code; nothing off the other co-op's bag.
      assert.match(text, new RegExp(`2,50\\s€ di sconto \\(${code}\\) · offerto da ${orto.name}`));
      assert.ok(!text.includes(`offerto da ${telaio.name}`), text);
      await noSeriousAxe(page, 'cart with the code');
      // On a phone the code box and the discount lines do not make the page scroll sideways (the same cart).
      const phone = await shop.browser.newContext({ locale: 'it-IT', ...PHONE, storageState: await page.context().storageState() });
      const onPhone = await phone.newPage();
      await onPhone.goto(`${shop.baseUrl}/cart`, DOM);
      assert.ok((await onPhone.locator('main').innerText()).includes(code));
      assert.equal(await sidewaysOverflow(onPhone), 0);
      await phone.close();
    });

    await step(page, 'the review shows what each co-op receives after its own discount', async () => {
      await page.locator('main a[href="/checkout"]').click();
      await page.waitForURL(/\/checkout$/, DOM);
      await page.fill('input[name="email"]', `promo-${Date.now()}@example.org`);
      await page.fill('input[name="name"]', 'Giulia Rossi');
      await page.fill('input[name="line1"]', 'Via Roma 12');
      await page.fill('input[name="postalCode"]', '10121');
      await page.fill('input[name="city"]', 'Torino');
      await page.fill('input[name="province"]', 'TO');
      await page.selectOption('select[name="country"]', 'IT');
      await page.check('input[name="terms"]');
      await submit(page, 'form[action="/checkout"] button[type="submit"]');
      const split = await page.locator('section.payment-split').innerText();
      // Orto: 12,50 − 2,50 + 6,90 − 10 % of 10,00 (1,00) = 15,90; Telaio: 30,00 + 4,90 − 3,00 = 31,90.
      assert.ok(split.includes(`Sconto offerto da ${orto.name}`), split);
      assert.match(split, new RegExp(`Alla cooperativa ${orto.name}\\s+15,90`));
      assert.match(split, new RegExp(`Alla cooperativa ${telaio.name}\\s+31,90`));
      await noSeriousAxe(page, 'review');
    });

    await step(page, 'pays with the demo provider; the receipt shows the code and who gave it', async () => {
      await page.locator('form[action="/checkout/place"] button[type="submit"]').click();
      await page.waitForURL(/\/demo-pay\//, DOM);
      await page.locator('form[action$="/pay"] button[type="submit"]').click();
      await page.waitForURL((u) => !u.pathname.startsWith('/demo-pay/'), DOM);
      if (!/\/orders\/view\//.test(page.url())) {
        await page.locator('main a[href*="/orders/view/"]').first().click();
        await page.waitForURL(/\/orders\/view\//, DOM);
      }
      const text = await page.locator('main').innerText();
      assert.ok(text.includes(`${code} · offerto da ${orto.name}`), text);
      assert.match(text, new RegExp(`${orto.name} riceve 15,90\\s€`));
      await noSeriousAxe(page, 'receipt');
    });

    await step(coopPage, 'the co-op report counts the paid use', async () => {
      await coopPage.goto(`${shop.baseUrl}/workspace/${orto.slug}/promotions`, DOM);
      const row = await coopPage.locator('table.promo-report tbody tr').first().innerText();
      // 1 of 50 uses, one paid order, 2,50 € given, 12,50 − 2,50 + 6,90 + 30,00 + 4,90 = 51,80 € of sales.
      assert.match(row, /1 su 50/);
      assert.match(row, /2,50\s€/);
      assert.match(row, /51,80\s€/);
    });
  });
});
