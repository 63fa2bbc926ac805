import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { axeProblems, browserAvailable, headerShare, openDemoShop, PHONE, sidewaysOverflow, signIn, step, type Shop } from './browser';
import { DEMO_ADMIN, DEMO_MEMBER } from '../../src/demo/demo-data';

const DOM = { waitUntil: 'domcontentloaded' } as const;

/** Goods from two co-ops, three lines: Le Api di Valle's honey, Terre di Puglia's taralli and oil. */
const CART = ['miele-di-castagno', 'taralli-olio', 'olio-evo-coratina'];

/** Opens `path` and returns what is wrong with it on a phone: sideways scrolling, and serious axe findings when `axe`. */
async function phoneProblems(page: Page, url: string, axe: boolean): Promise<string[]> {
  if (url) {
    const res = await page.goto(url, DOM);
    assert.ok(res && res.status() < 400, `${url} answered ${res?.status()}`);
  }
  const problems: string[] = [];
  const overflow = await sidewaysOverflow(page);
  if (overflow > 0) problems.push(`${overflow}px wider than the screen, past its edge: ${await pastTheEdge(page)}`);
  if (axe) problems.push(...(await axeProblems(page)));
  return problems;
}

/** The first elements that reach past the right edge of the screen, to say what widens a page. */
function pastTheEdge(page: Page): Promise<string> {
  return page.evaluate(
    "[...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)" +
      ".slice(0, 8).map((e) => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') + ' in ' + ((e.parentElement.closest('[class]') || {}).className || 'body')).join(', ')",
  );
}

/** The height of an element in px. */
async function heightOf(page: Page, selector: string): Promise<number> {
  const box = await page.locator(selector).first().boundingBox();
  assert.ok(box, selector);
  return box.height;
}

describe('the shop on a phone (390×844, Chromium)', function () {
  this.timeout(120_000);
  let shop: Shop;
  let context: BrowserContext;
  let page: Page;

  before(async function () {
    if (!browserAvailable()) return this.skip();
    shop = await openDemoShop();
    context = await shop.browser.newContext(PHONE);
    page = await context.newPage();
  });
  after(async () => {
    await context?.close();
    await shop?.close();
  });

  it('keeps the header, department links and demo banner within a fifth of the first screen', async () => {
    // Before the phone layout they took 35% (299 of 844 px).
    for (const lang of ['it', 'en']) {
      await context.addCookies([{ name: 'lang', value: lang, url: shop.baseUrl }]);
      await page.goto(`${shop.baseUrl}/`, DOM);
      const share = await headerShare(page);
      assert.ok(share <= 0.2, `${lang}: ${(share * 100).toFixed(1)}% of the first screen`);
      const banner = String(
        await page.evaluate(
          "(() => { const b = document.querySelector('.demo-banner'); return b.querySelector('.short').getClientRects().length + ' ' + (b.scrollWidth <= b.clientWidth); })()",
        ),
      );
      assert.equal(banner, '1 true', 'the demo banner is one line, not cut short');
    }
  });

  it('shows the first product of a listing high on the first screen, the filters folded until asked for, without script', async () => {
    const noScript = await shop.browser.newContext({ ...PHONE, locale: 'it-IT', javaScriptEnabled: false });
    const p = await noScript.newPage();
    try {
      for (const path of ['/shop', '/shop/craft']) {
        await p.goto(shop.baseUrl + path, DOM);
        const top = (await p.locator('main .product-card').first().boundingBox())?.y ?? Infinity;
        // It started at 1,180–1,290 px, after the whole filter form.
        assert.ok(top < PHONE.viewport.height * 0.6, `${path}: the first product starts at ${top}px`);
        assert.equal(await p.locator('details.filters-box').getAttribute('open'), null);
        assert.equal(await p.locator('#f-stock').isVisible(), false);
      }
      await p.locator('details.filters-box > summary').click();
      await p.check('#f-stock');
      await p.locator('details.filters-box button[type="submit"]').click();
      await p.waitForURL(/\/shop\/craft\?stock=1/, DOM);
      assert.match(await p.locator('details.filters-box > summary').innerText(), /1 filtro attivo$/);
    } finally {
      await noScript.close();
    }
  });

  it('has no sideways scrolling and no serious axe findings from the home page to the review, in both languages', async () => {
    await step(page, 'a cart of three lines from two co-ops', async () => {
      for (const slug of CART) {
        await page.goto(`${shop.baseUrl}/products/${slug}`, DOM);
        await Promise.all([page.waitForNavigation(DOM), page.locator('form[action="/cart/items"] button[type="submit"]').click()]);
      }
    });
    const found: Record<string, string[]> = {};
    for (const lang of ['it', 'en']) {
      await context.addCookies([{ name: 'lang', value: lang, url: shop.baseUrl }]);
      // The width in both languages, since their words differ in length; axe (slow) once, in Italian, on the
      // pages the buyer passes (accessibility.test.ts audits every page in both languages on a wide screen).
      const axe = lang === 'it';
      const paths = ['/', '/shop', '/shop/produce/honey', '/search?q=miele', `/products/${CART[0]}`, '/coops', '/cart', '/checkout'];
      const audited = new Set(['/', '/shop', `/products/${CART[0]}`, '/cart', '/checkout']);
      for (const path of paths) {
        await step(page, `${lang} ${path}`, async () => {
          const problems = await phoneProblems(page, shop.baseUrl + path, axe && audited.has(path));
          if (problems.length) found[`${lang} ${path}`] = problems;
        });
      }
      await step(page, `${lang} cart lines are cards with thumb-sized controls`, async () => {
        await page.goto(`${shop.baseUrl}/cart`, DOM);
        assert.equal(await page.locator('.cart-lines tbody tr').count(), 3);
        for (const control of ['.qty-form input[name="quantity"]', '.qty-form button', '.cart-lines button.remove']) {
          assert.ok((await heightOf(page, control)) >= 44, `${control} is at least 44px high`);
        }
      });
      await step(page, `${lang} checkout form to review`, async () => {
        await page.goto(`${shop.baseUrl}/checkout`, DOM);
        const summary = page.locator('main .order-summary');
        assert.ok(
          ((await summary.boundingBox())?.y ?? Infinity) < ((await page.locator('.checkout-form').boundingBox())?.y ?? 0),
          'summary above the form',
        );
        await page.fill('input[name="email"]', 'phone@example.org');
        await page.fill('input[name="name"]', 'Giulia Rossi');
        await page.fill('input[name="line1"]', 'Via Roma 12');
        await page.fill('input[name="postalCode"]', '10121');
        await page.fill('input[name="city"]', 'Torino');
        await page.fill('input[name="province"]', 'TO');
        await page.check('input[name="terms"]');
        await Promise.all([
          page.waitForURL(/\/checkout\/review$/, DOM),
          page.locator('form[action="/checkout"] button[type="submit"]').last().click(),
        ]);
        const problems = await phoneProblems(page, '', axe);
        if (problems.length) found[`${lang} /checkout/review`] = problems;
      });
    }
    assert.deepEqual(found, {}, JSON.stringify(found, null, 2));
  });

  it("has no sideways scrolling on the co-op member's and the admin's pages: wide tables scroll inside their box", async () => {
    const found: Record<string, string[]> = {};
    const ws = `/workspace/${DEMO_MEMBER.coop}`;
    for (const [who, email, password, paths] of [
      [
        'member',
        DEMO_MEMBER.email,
        DEMO_MEMBER.password,
        [ws, `${ws}/goods`, `${ws}/orders`, `${ws}/money`, `${ws}/members`, `${ws}/goods/new`],
      ],
      [
        'admin',
        DEMO_ADMIN.email,
        DEMO_ADMIN.password,
        [
          '/admin',
          '/admin/coops',
          '/admin/commission',
          '/admin/audit',
          '/admin/ledger',
          '/admin/reconciliation',
          '/admin/payouts',
          '/admin/balances',
        ],
      ],
    ] as const) {
      const own = await shop.browser.newContext(PHONE);
      try {
        const p = await own.newPage();
        await signIn(p, shop.baseUrl, email, password);
        for (const path of paths) {
          await step(p, `${who} ${path}`, async () => {
            const problems = await phoneProblems(p, shop.baseUrl + path, false);
            if (problems.length) found[`${who} ${path}`] = problems;
          });
        }
      } finally {
        await own.close();
      }
    }
    assert.deepEqual(found, {}, JSON.stringify(found, null, 2));
  });
});
