import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { DEMO_ADMIN, DEMO_MEMBER } from '../../src/demo/demo-data';
import { ProductModel } from '../../src/catalog/product.model';
import { CoopModel } from '../../src/coops/coop.model';
import { saveAccountState } from '../../src/coops/onboarding.service';
import { DemoGateway } from '../../src/payments';
import { getPayoutSettings, setPayoutSettings, type PayoutSettingsView } from '../../src/payouts/settings.service';
import { browserAvailable, openDemoShop, signIn, step, type Shop } from './browser';

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
  });
  await checkoutAsGuest(page, baseUrl, [firstCoop, secondCoop]);
}

/** Adds `quantity` of a product to the cart from its page; returns its co-op's name. */
async function addToCart(page: Page, baseUrl: string, slug: string, quantity = 1): Promise<string> {
  return step(page, `add ${slug} to the cart`, async () => {
    await page.goto(`${baseUrl}/products/${slug}`, DOM);
    const coop = (await page.locator('main a[href^="/coops/"]').first().textContent())?.trim() ?? '';
    await page.fill('form[action="/cart/items"] input[name="quantity"]', String(quantity));
    await Promise.all([page.waitForNavigation(DOM), page.locator('form[action="/cart/items"] button[type="submit"]').click()]);
    return coop;
  });
}

/** From the cart: the checkout form, the review, the demo pay page and the order page. Returns the order number. */
async function checkoutAsGuest(page: Page, baseUrl: string, coops: string[]): Promise<string> {
  await step(page, 'cart to checkout', async () => {
    if (!page.url().endsWith('/cart')) await page.goto(`${baseUrl}/cart`, DOM);
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
    await page.check('input[name="terms"]');
    await page.locator('form[action="/checkout"] button[type="submit"]').last().click();
    await page.waitForURL(/\/checkout\/review/, DOM);
  });
  await step(page, 'review and pay with the demo provider', async () => {
    const review = await page.locator('main').innerText();
    for (const coop of coops) assert.ok(review.includes(coop), review);
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
        assert.deepEqual(
          errors.filter((e) => /Content Security Policy/.test(e)),
          [],
          'no CSP violations',
        );
      });
    });
  }

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
      const base = `${shop.baseUrl}/workspace/${DEMO_MEMBER.coop}`;
      const member = await shop.browser.newContext();
      const guest = await shop.browser.newContext();
      try {
        const page = await member.newPage();
        await step(page, 'member signs in', () => signIn(page, shop.baseUrl, DEMO_MEMBER.email, DEMO_MEMBER.password));
        // The form asks for the photo first and publishes only with one (the goods part of issue 17).
        const productId = await step(page, 'new product with its photo, published', async () => {
          await page.goto(`${base}/goods/new`, DOM);
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
          const res = await page.goto(`${shop.baseUrl}/products/${slug}`, DOM);
          assert.equal(res?.status(), 200);
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
        const coopName = await addToCart(buyer, shop.baseUrl, slug, 2);
        const number = await checkoutAsGuest(buyer, shop.baseUrl, [coopName]);

        await step(page, 'mark the share shipped', async () => {
          await page.goto(`${base}/orders`, DOM);
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
        await step(page, 'admin signs in', () => signIn(page, shop.baseUrl, DEMO_ADMIN.email, DEMO_ADMIN.password));
        await step(page, 'hold transfers until shipped', async () => {
          await page.goto(`${shop.baseUrl}/admin/payouts/settings`, DOM);
          await page.check('#policy-on_shipped');
          await page.check('#settings-confirm');
          await submit(page, 'form[action="/admin/payouts/settings"] button[type="submit"]');
          assert.ok(await page.locator('#policy-on_shipped').isChecked());
        });
        // Both co-ops can receive transfers, so only the policy holds them.
        for (const slug of ['le-api-di-valle', 'terre-di-puglia']) restore.push(await connectPayouts(slug));

        const buyer = await guest.newPage();
        const honey = await addToCart(buyer, shop.baseUrl, 'miele-di-castagno', 1);
        const taralli = await addToCart(buyer, shop.baseUrl, 'taralli-olio', 2);
        assert.notEqual(honey, taralli);
        const number = await checkoutAsGuest(buyer, shop.baseUrl, [honey, taralli]);

        const rowsOf = (p: Page) => p.locator('main tbody tr', { has: p.locator('a[href^="/admin/orders/"]', { hasText: number }) });
        await step(page, 'both transfers are held', async () => {
          await page.goto(`${shop.baseUrl}/admin/payouts?state=held`, DOM);
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
          const jobUrl = page.url();
          for (let i = 0; i < 40 && (await page.locator('main td.state-sent').count()) < 2; i++) {
            await page.waitForTimeout(250);
            await page.goto(jobUrl, DOM);
          }
          assert.equal(await page.locator('main td.state-sent').count(), 2, await page.locator('main').innerText());
        });
        await step(page, 'the payouts list shows both transferred', async () => {
          await page.goto(`${shop.baseUrl}/admin/payouts`, DOM);
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
          await page.goto(`${shop.baseUrl}/admin/payouts`, DOM);
          const rows = rowsOf(page);
          assert.equal(await rows.locator('td.state-reversed_partly').count(), 1, await page.locator('main').innerText());
          assert.equal(await rows.locator('td.state-sent').count(), 1);
        });
      } finally {
        await guest.close();
        await admin.close();
      }
    });
  });
});
