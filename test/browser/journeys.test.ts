import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import sharp from 'sharp';
import { DEMO_ADMIN, DEMO_BUYER, DEMO_MEMBER } from '../../src/demo/demo-data';
import { ProductModel } from '../../src/catalog/product.model';
import { CoopModel } from '../../src/coops/coop.model';
import { saveAccountState } from '../../src/coops/onboarding.service';
import { DemoGateway } from '../../src/payments';
import { getPayoutSettings, setPayoutSettings, type PayoutSettingsView } from '../../src/payouts/settings.service';
import { browserAvailable, headerShare, openDemoShop, PHONE, sidewaysOverflow, step, type Shop } from './browser';

/*
 * Each journey starts at the home page and then only clicks and types, as a person would: the one
 * page.goto is the first. What a person cannot reach by clicking fails here.
 */

/** Wait for the document, not for every lazy image, before the next step. */
const DOM = { waitUntil: 'domcontentloaded' } as const;

/** Clicks a link or button and waits for the page it leads to. */
async function follow(page: Page, target: string | Locator): Promise<void> {
  const el = typeof target === 'string' ? page.locator(target).first() : target;
  await Promise.all([page.waitForNavigation(DOM), el.click()]);
}

/** Follows a link of the header's account menu, opening the menu first where it is folded (on a phone). */
async function menuLink(page: Page, href: string): Promise<void> {
  const summary = page.locator('header details.menu > summary');
  if ((await summary.isVisible()) && (await page.locator('header details.menu[open]').count()) === 0) await summary.click();
  await follow(page, `header details.menu a[href="${href}"]`);
}

/** The links of the header's account menu. */
async function menuHrefs(page: Page): Promise<string[]> {
  const links = await page.locator('header details.menu a').all();
  return Promise.all(links.map(async (a) => (await a.getAttribute('href')) ?? ''));
}

/** From any page: the header's "sign in" link and the login form; back on the home page. */
async function signInFromHeader(page: Page, email: string, password: string): Promise<void> {
  await follow(page, 'header a[href="/login"]');
  await page.fill('#f-email', email);
  await page.fill('#f-password', password);
  await follow(page, 'form[action="/login"] button[type=submit]');
  assert.equal(new URL(page.url()).pathname, '/');
}

/** From any page: the header menu's workspace link, the co-op, then a section of its workspace. */
async function toWorkspace(page: Page, section: '' | '/goods' | '/orders' | '/money' | '/payouts'): Promise<void> {
  await menuLink(page, '/workspace');
  const base = `/workspace/${DEMO_MEMBER.coop}`;
  await follow(page, `main a[href="${base}"]`);
  if (section) await follow(page, `nav.ws-nav a[href="${base}${section}"]`);
  assert.equal(new URL(page.url()).pathname, base + section);
}

/** Follows a link of the admin pages' own navigation. */
async function adminNav(page: Page, href: string): Promise<void> {
  await follow(page, `nav.admin-nav a[href="${href}"]`);
  assert.equal(new URL(page.url()).pathname, href);
}

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
    await follow(page, 'nav.departments a[href="/shop/craft"]');
    // On a phone the filters are folded away.
    if (!(await page.locator('#f-stock').isVisible())) await page.locator('details.filters-box > summary').click();
    await page.check('#f-stock');
    await page.selectOption('#f-region', 'Umbria');
    await page.locator('form[method="get"] button[type="submit"]').last().click();
    await page.waitForURL(/region=Umbria/, DOM);
  });
  const secondCoop = await addFirstProductToCart(page, 'filtered listing');
  assert.notEqual(firstCoop, secondCoop, 'goods from two co-ops');

  await step(page, 'cart shows both co-ops', async () => {
    await follow(page, 'header a.cart-link');
    const text = await page.locator('main').innerText();
    assert.ok(text.includes(firstCoop) && text.includes(secondCoop), text);
  });
  await checkout(page, [firstCoop, secondCoop]);
}

/**
 * Finds a product with the header's search (starting at the home page when the page is new) and adds
 * `quantity` of it to the cart from its page; returns its co-op's name.
 */
async function addToCart(page: Page, baseUrl: string, query: string, slug: string, quantity = 1): Promise<string> {
  return step(page, `add ${slug} to the cart`, async () => {
    if (page.url() === 'about:blank') await page.goto(`${baseUrl}/`, DOM);
    await page.fill('#site-q', query);
    await Promise.all([page.waitForURL(/\/search\?q=/, DOM), page.press('#site-q', 'Enter')]);
    await follow(page, `main a[href="/products/${slug}"]`);
    const coop = (await page.locator('main a[href^="/coops/"]').first().textContent())?.trim() ?? '';
    await page.fill('form[action="/cart/items"] input[name="quantity"]', String(quantity));
    await Promise.all([page.waitForNavigation(DOM), page.locator('form[action="/cart/items"] button[type="submit"]').click()]);
    return coop;
  });
}

/**
 * From any page: the cart (the header's link), the checkout form, the review, the demo pay page and
 * the order page. A guest gives an email address, a signed-in buyer does not. Returns the order number.
 */
async function checkout(page: Page, coops: string[]): Promise<string> {
  await step(page, 'cart to checkout', async () => {
    if (!page.url().endsWith('/cart')) await follow(page, 'header a.cart-link');
    await page.locator('main a[href="/checkout"]').click();
    await page.waitForURL(/\/checkout$/, DOM);
  });
  await step(page, 'checkout form', async () => {
    if (await page.locator('input[name="email"]').count()) await page.fill('input[name="email"]', `guest-${Date.now()}@example.org`);
    await page.fill('input[name="name"]', 'Giulia Rossi');
    await page.fill('input[name="line1"]', 'Via Roma 12');
    await page.fill('input[name="postalCode"]', '10121');
    await page.fill('input[name="city"]', 'Torino');
    await page.fill('input[name="province"]', 'TO');
    await page.selectOption('select[name="country"]', 'IT');
    await page.check('input[name="terms"]');
    await page.locator('form[action="/checkout"] button[type="submit"]').last().click();
    await page.waitForURL(/\/checkout\/review/, DOM);
  });
  await step(page, 'review and pay with the demo provider', async () => {
    const review = await page.locator('main').innerText();
    for (const coop of coops) assert.ok(review.includes(coop), review);
    // What the buyer pays, then apart from it how it is shared.
    assert.equal(await page.locator('main section[aria-labelledby="rv-total"]').count(), 1);
    assert.equal(await page.locator('main section[aria-labelledby="rv-split"]').count(), 1);
    await page.locator('form[action="/checkout/place"] button[type="submit"]').click();
    await page.waitForURL(/\/demo-pay\//, DOM);
    await page.locator('form[action$="/pay"] button[type="submit"]').click();
    await page.waitForURL((u) => !u.pathname.startsWith('/demo-pay/'), DOM);
  });
  return step(page, 'the order page', async () => {
    if (!/\/orders\/view\//.test(page.url())) {
      await page.locator('main a[href*="/orders/view/"]').first().click();
      await page.waitForURL(/\/orders\/view\//, DOM);
    }
    const text = await page.locator('main').innerText();
    const number = /FIL-\d{4}-\d+/.exec(text)?.[0];
    assert.ok(number, text);
    for (const coop of coops) assert.ok(text.includes(coop), text);
    return number;
  });
}

/** Clicks a submit button and waits for the page it leads to. */
async function submit(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForNavigation(DOM), page.locator(selector).click()]);
}

/**
 * Connects a demo co-op to payouts as its owner would: a demo connected
 * account, its onboarding completed, the account state stored on the co-op.
 * Returns what to put back afterwards.
 */
async function connectPayouts(slug: string): Promise<() => Promise<void>> {
  const coop = await CoopModel.findOne({ slug }, { stripeAccountId: 1, payouts: 1 }).lean();
  assert.ok(coop, slug);
  const coopId = String(coop._id);
  const gateway = new DemoGateway();
  const account = await gateway.createConnectedAccount({ coopId, email: `${slug}@example.org`, idempotencyKey: `account:${coopId}` });
  const { state } = await gateway.completeOnboarding(account.id);
  await saveAccountState(coopId, state);
  return async () => {
    await CoopModel.updateOne(
      { _id: coop._id },
      coop.stripeAccountId
        ? { $set: { stripeAccountId: coop.stripeAccountId, payouts: coop.payouts } }
        : { $unset: { stripeAccountId: 1 }, $set: { payouts: coop.payouts ?? {} } },
    );
  };
}

describe('browser journeys (Chromium)', function () {
  this.timeout(120_000);
  let shop: Shop;

  before(async function () {
    if (!browserAvailable()) return this.skip();
    shop = await openDemoShop();
  });
  after(async () => shop?.close());

  for (const lang of ['it', 'en'] as const) {
    // The English guest shops on a phone.
    describe(`a guest (${lang}${lang === 'en' ? ', on a phone' : ''})`, () => {
      it('finds goods from two co-ops by search and filters, pays with the demo provider and sees the order', async () => {
        const context = await shop.browser.newContext({ locale: 'it-IT', ...(lang === 'en' ? PHONE : {}) });
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
        try {
          await buyAsGuest(page, shop.baseUrl, lang);
        } finally {
          await context.close();
        }
        assert.deepEqual(
          errors.filter((e) => /Content Security Policy/.test(e)),
          [],
          'no CSP violations',
        );
      });
    });
  }

  describe('a signed-in buyer on a phone', () => {
    it('signs in, buys, and finds the order under "my orders" and the account, all from the header', async () => {
      const context = await shop.browser.newContext(PHONE);
      const page = await context.newPage();
      const wide: string[] = [];
      /** Notes a page that scrolls sideways on the phone. */
      const checkWidth = async () => {
        if ((await sidewaysOverflow(page)) > 0) wide.push(new URL(page.url()).pathname);
      };
      try {
        await step(page, 'home', async () => {
          await page.goto(`${shop.baseUrl}/`, DOM);
          assert.ok((await headerShare(page)) <= 0.2);
        });
        await step(page, 'sign in', () => signInFromHeader(page, DEMO_BUYER.email, DEMO_BUYER.password));
        await step(page, 'the menu has my orders and the account, no workspace or admin', async () => {
          assert.ok((await headerShare(page)) <= 0.2, 'the header stays compact when signed in');
          assert.equal(await page.locator('header details.menu a[href="/account/orders"]').isVisible(), false, 'folded');
          await page.locator('header details.menu > summary').click();
          assert.deepEqual(await menuHrefs(page), ['/account/orders', '/account']);
          assert.ok(await page.locator('header details.menu a[href="/account/orders"]').isVisible());
          await page.keyboard.press('Escape');
          assert.equal(await page.locator('header details.menu[open]').count(), 0, 'Escape closes the menu');
        });
        const coop = await step(page, 'honey from the produce department', async () => {
          await follow(page, 'nav.departments a[href="/shop/produce"]');
          await follow(page, 'main .category-nav a[href="/shop/produce/honey"]');
          await checkWidth();
          return addFirstProductToCart(page, 'honey');
        });
        const number = await checkout(page, [coop]);
        await checkWidth();
        await step(page, 'my orders, then the order', async () => {
          await menuLink(page, '/account/orders');
          await checkWidth();
          await follow(page, page.locator('main a', { hasText: number }));
          assert.match(page.url(), /\/account\/orders\/[a-f0-9]{24}$/);
          const text = await page.locator('main').innerText();
          assert.ok(text.includes(number) && text.includes(coop), text);
          await checkWidth();
        });
        await step(page, 'the account', async () => {
          await menuLink(page, '/account');
          assert.equal(new URL(page.url()).pathname, '/account');
          assert.ok((await page.locator('main').innerText()).includes(DEMO_BUYER.email));
          await checkWidth();
        });
        assert.deepEqual(wide, [], 'pages that scroll sideways on a phone');
      } finally {
        await context.close();
      }
    });
  });

  describe('a co-op member', () => {
    let dir = '';
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'filiera-photo-'));
    });
    after(async () => dir && rm(dir, { recursive: true, force: true }));

    it('adds a product with a photo, publishes it, sees it in the shop and ships an order of it', async () => {
      const photo = join(dir, 'basket.jpg');
      await sharp({ create: { width: 800, height: 600, channels: 3, background: { r: 190, g: 120, b: 40 } } })
        .jpeg({ quality: 80 })
        .toFile(photo);
      const name = `Cesto di prova ${Date.now()}`;
      const member = await shop.browser.newContext();
      const guest = await shop.browser.newContext();
      try {
        const page = await member.newPage();
        await step(page, 'member signs in', async () => {
          await page.goto(`${shop.baseUrl}/`, DOM);
          await signInFromHeader(page, DEMO_MEMBER.email, DEMO_MEMBER.password);
        });
        await step(page, 'workspace, goods, "new product"', async () => {
          await toWorkspace(page, '/goods');
          await follow(page, `main a[href="/workspace/${DEMO_MEMBER.coop}/goods/new"]`);
        });
        // The form asks for the photo first and publishes only with one (the goods part of issue 17).
        const productId = await step(page, 'new product with its photo, published', async () => {
          await page.setInputFiles('#f-image', photo);
          await page.click('.ws-photos summary');
          await page.fill('#f-altIt', 'Il cesto visto di lato');
          await page.fill('#f-altEn', 'The basket from the side');
          await page.fill('#f-nameIt', name);
          await page.fill('#f-descriptionIt', 'Un cesto intrecciato a mano per la prova.');
          await page.selectOption('#f-category', 'olive-oil');
          await page.fill('#f-vPrice-0', '12,50');
          await page.fill('#f-vStock-0', '20');
          await page.click('.ws-more summary');
          await page.fill('#f-nameEn', 'Test basket');
          await submit(
            page,
            `form[action^="/workspace/${DEMO_MEMBER.coop}/goods?"] button[name="intent"][value="publish"]:not(.visually-hidden)`,
          );
          assert.equal(await page.locator('#image-error, #err-image').count(), 0, 'no photo error');
          const id = /\/goods\/([a-f0-9]{24})\/edit/.exec(page.url())?.[1];
          assert.ok(id, page.url());
          const src = await page.locator('#images img').first().getAttribute('src');
          assert.match(src ?? '', /^\/media\/products\/[a-f0-9]{32}-\d+\.webp$/);
          assert.equal(await page.locator('.ws-state-on-sale').count(), 1, 'saved as on sale');
          return id;
        });
        const slug = (await ProductModel.findById(productId, { slug: 1 }).lean())?.slug;
        assert.ok(slug);

        await step(page, 'the public product page shows it with its photo', async () => {
          await page.fill('#site-q', name);
          await Promise.all([page.waitForURL(/\/search\?q=/, DOM), page.press('#site-q', 'Enter')]);
          await follow(page, `main a[href="/products/${slug}"]`);
          const en = (await page.getAttribute('html', 'lang')) === 'en';
          assert.equal((await page.locator('main h1').innerText()).trim(), en ? 'Test basket' : name);
          const img = page.locator('img.product-main-img');
          const src = (await img.getAttribute('src')) ?? '';
          assert.match(src, /^\/media\/products\/[a-f0-9]{32}-\d+\.webp$/);
          assert.equal(await img.getAttribute('alt'), en ? 'The basket from the side' : 'Il cesto visto di lato');
          const media = await page.request.get(`${shop.baseUrl}${src}`);
          assert.equal(media.status(), 200);
          assert.match(media.headers()['content-type'] ?? '', /image\/webp/);
          await img.scrollIntoViewIfNeeded();
          await page.waitForFunction(
            `(() => { const i = document.querySelector('img.product-main-img'); return !!i && i.complete && i.naturalWidth > 0; })()`,
          );
        });

        // A guest buys it in another browser, so the co-op has a paid share to ship.
        const buyer = await guest.newPage();
        const coopName = await addToCart(buyer, shop.baseUrl, name, slug, 2);
        const number = await checkout(buyer, [coopName]);

        await step(page, 'mark the share shipped', async () => {
          await toWorkspace(page, '/orders');
          await page.locator(`main a[href^="/workspace/${DEMO_MEMBER.coop}/orders/"]`, { hasText: number }).click();
          await page.waitForURL(/\/orders\/[a-f0-9]{24}:[a-f0-9]{24}$/, DOM);
          assert.match(await page.locator('main').innerText(), new RegExp(`${name}|Test basket`));
          await page.fill('#f-carrier', 'BRT');
          await page.fill('#f-trackingNumber', 'BRT 0042 1234');
          await submit(page, 'form:has(input[name="status"][value="shipped"]) button[type="submit"]');
          const text = await page.locator('main').innerText();
          assert.ok(text.includes('BRT 0042 1234'), text);
          assert.equal(await page.locator('input[name="status"][value="shipped"]').count(), 0, 'no longer offered');
          assert.equal(await page.locator('input[name="status"][value="delivered"]').count(), 1, 'delivery is next');
        });
        await step(page, 'the money and payouts pages of the workspace', async () => {
          await follow(page, `nav.ws-nav a[href="/workspace/${DEMO_MEMBER.coop}/money"]`);
          assert.equal(await page.locator('main h1').count(), 1);
          await follow(page, `nav.ws-nav a[href="/workspace/${DEMO_MEMBER.coop}/payouts"]`);
          assert.match(page.url(), /\/payouts$/);
          await menuLink(page, '/account');
          assert.equal(new URL(page.url()).pathname, '/account');
        });
      } finally {
        await guest.close();
        await member.close();
      }
    });
  });

  describe('an admin', () => {
    let settings: PayoutSettingsView | undefined;
    const restore: (() => Promise<void>)[] = [];
    after(async () => {
      if (settings) await setPayoutSettings(settings);
      for (const r of restore) await r();
    });

    it('releases the held transfers of an order in bulk and refunds one line of it', async () => {
      settings = await getPayoutSettings();
      const admin = await shop.browser.newContext();
      const guest = await shop.browser.newContext();
      try {
        const page = await admin.newPage();
        await step(page, 'admin signs in', async () => {
          await page.goto(`${shop.baseUrl}/`, DOM);
          await signInFromHeader(page, DEMO_ADMIN.email, DEMO_ADMIN.password);
        });
        await step(page, 'admin, co-ops, payouts', async () => {
          await menuLink(page, '/admin');
          assert.equal(new URL(page.url()).pathname, '/admin');
          await adminNav(page, '/admin/coops');
          assert.ok((await page.locator('main').innerText()).includes('Terre di Puglia'));
          await adminNav(page, '/admin/payouts');
        });
        await step(page, 'hold transfers until shipped', async () => {
          await follow(page, 'main a[href="/admin/payouts/settings"]');
          await page.check('#policy-on_shipped');
          await page.check('#settings-confirm');
          await submit(page, 'form[action="/admin/payouts/settings"] button[type="submit"]');
          assert.ok(await page.locator('#policy-on_shipped').isChecked());
        });
        // Both co-ops can receive transfers, so only the policy holds them.
        for (const slug of ['le-api-di-valle', 'terre-di-puglia']) restore.push(await connectPayouts(slug));

        const buyer = await guest.newPage();
        const honey = await addToCart(buyer, shop.baseUrl, 'miele di castagno', 'miele-di-castagno', 1);
        const taralli = await addToCart(buyer, shop.baseUrl, 'taralli', 'taralli-olio', 2);
        assert.notEqual(honey, taralli);
        const number = await checkout(buyer, [honey, taralli]);

        const rowsOf = (p: Page) => p.locator('main tbody tr', { has: p.locator('a[href^="/admin/orders/"]', { hasText: number }) });
        await step(page, 'both transfers are held', async () => {
          await adminNav(page, '/admin/payouts');
          await page.selectOption('#p-state', 'held');
          await follow(page, 'form[action="/admin/payouts"][method="get"] button[type="submit"]');
          const rows = rowsOf(page);
          assert.equal(await rows.count(), 2, await page.locator('main').innerText());
          assert.equal(await rows.locator('td.state-held').count(), 2);
        });
        await step(page, 'release them in bulk', async () => {
          const rows = rowsOf(page);
          for (let i = 0; i < 2; i++) await rows.nth(i).locator('input[name="ids"]').check();
          await page.check('#bulk-confirm');
          await submit(page, 'form[action="/admin/payouts/bulk"] button[type="submit"]');
          assert.match(page.url(), /\/admin\/payouts\/bulk\/[\w-]+$/);
          for (let i = 0; i < 40 && (await page.locator('main td.state-sent').count()) < 2; i++) {
            await page.waitForTimeout(250);
            await page.reload(DOM);
          }
          assert.equal(await page.locator('main td.state-sent').count(), 2, await page.locator('main').innerText());
        });
        await step(page, 'the payouts list shows both transferred', async () => {
          await adminNav(page, '/admin/payouts');
          assert.equal(await rowsOf(page).locator('td.state-sent').count(), 2, await page.locator('main').innerText());
        });
        await step(page, 'refund one of the two taralli', async () => {
          await rowsOf(page).first().locator('a[href^="/admin/orders/"]').click();
          await page.waitForURL(/\/admin\/orders\/[a-f0-9]{24}$/, DOM);
          assert.equal(await page.locator('section[aria-labelledby="refunds-h"] tbody tr').count(), 0);
          await page.check('#mode-lines');
          await page.fill('input[name^="qty_"][max="2"]', '1');
          await page.fill('#reason', 'Confezione arrivata rotta');
          await page.check('#refund-confirm');
          await submit(page, 'form[action$="/refund"] button[type="submit"]');
          assert.match(page.url(), /\/admin\/orders\/[a-f0-9]{24}$/);
          const refunds = page.locator('section[aria-labelledby="refunds-h"] tbody tr');
          assert.equal(await refunds.count(), 1, await page.locator('main').innerText());
          assert.ok((await refunds.innerText()).includes('Confezione arrivata rotta'));
          // One taralli left to refund, the honey untouched.
          assert.equal(await page.locator('input[name^="qty_"][max="1"]').count(), 2);
        });
        await step(page, "the taralli co-op's transfer is partly reversed", async () => {
          await adminNav(page, '/admin/payouts');
          const rows = rowsOf(page);
          assert.equal(await rows.locator('td.state-reversed_partly').count(), 1, await page.locator('main').innerText());
          assert.equal(await rows.locator('td.state-sent').count(), 1);
        });
        await step(page, 'the ledger, the reconciliation, the balances', async () => {
          await adminNav(page, '/admin/ledger');
          assert.ok((await page.locator('main tbody tr').count()) > 0, 'ledger entries');
          await adminNav(page, '/admin/reconciliation');
          await follow(page, 'form[action="/admin/reconciliation"] button[type="submit"]');
          assert.equal(await page.locator('main [role="status"]').count(), 1, await page.locator('main').innerText());
          await adminNav(page, '/admin/balances');
        });
      } finally {
        await guest.close();
        await admin.close();
      }
    });
  });
});
