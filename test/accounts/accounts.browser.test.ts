import assert from 'node:assert/strict';
import { axeProblems, browserAvailable, openShop, step, type Shop } from '../browser/browser';
import { makeUser, PASSWORD } from '../support/factories';

describe('account pages in a browser', function () {
  this.timeout(60_000);
  let shop: Shop;
  before(async function () {
    if (!browserAvailable()) return this.skip();
    shop = await openShop();
  });
  after(() => shop?.close());

  it('sign-up (also with errors), login, reset and account pages pass axe', async () => {
    const u = await makeUser();
    const context = await shop.browser.newContext();
    const page = await context.newPage();
    const cspErrors: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
    });
    try {
      for (const path of ['/signup', '/login', '/password/forgot']) {
        await step(page, `axe ${path}`, async () => {
          await page.goto(shop.baseUrl + path);
          assert.deepEqual(await axeProblems(page), [], path);
        });
      }
      await step(page, 'sign-up errors', async () => {
        await page.goto(`${shop.baseUrl}/signup`);
        await page.fill('#f-email', 'not-an-email');
        await page.click('form[action="/signup"] button[type=submit]');
        assert.equal(await page.getAttribute('#f-email', 'aria-invalid'), 'true');
        assert.deepEqual(await axeProblems(page), []);
      });
      await step(page, 'login', async () => {
        await page.goto(`${shop.baseUrl}/login?next=%2Faccount`);
        await page.fill('#f-email', u.email);
        await page.fill('#f-password', PASSWORD);
        await page.click('form[action="/login"] button[type=submit]');
        await page.waitForURL(/\/account$/);
        assert.deepEqual(await axeProblems(page), []);
      });
      await step(page, 'new address', async () => {
        await page.goto(`${shop.baseUrl}/account/addresses/new`);
        assert.deepEqual(await axeProblems(page), []);
      });
      assert.deepEqual(cspErrors, []);
    } finally {
      await context.close();
    }
  });
});
