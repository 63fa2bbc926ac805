import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { transitionShare, shareId } from '../../src/orders';
import { MembershipModel } from '../../src/coops/membership.model';
import { buildServices, MemoryMailer } from '../support/app';
import { makeUser, PASSWORD, unique } from '../support/factories';
import { coopWithProduct, orderOf } from '../reviews/support';
import { axeProblems, browserAvailable, openShop, PHONE, sidewaysOverflow, signIn, step, type Shop } from './browser';

const DOM = { waitUntil: 'domcontentloaded' } as const;
const LONG_WORD = 'Buonissimo'.repeat(30);

/*
 * A buyer receives the goods (the co-op marks the share delivered), gets
 * the invitation a week later, follows its link, writes a review; the co-op
 * replies from its workspace. Every page on the way passes axe, and the
 * product page with a 300-character word does not scroll sideways on a phone.
 */
describe('reviews in the browser (Chromium)', function () {
  this.timeout(120_000);
  let shop: Shop;

  before(async function () {
    if (!browserAvailable()) return this.skip();
    shop = await openShop();
  });
  after(async () => {
    await shop?.close();
  });

  async function noAxeProblems(page: Page, where: string): Promise<void> {
    assert.deepEqual(await axeProblems(page), [], where);
  }

  it('from delivery to the mail, the review and the co-op’s reply', async () => {
    const { coop, product } = await coopWithProduct();
    const manager = await makeUser();
    await MembershipModel.create({ user: manager.id, coop: coop.id, role: 'manager' });
    const email = `buyer-${unique()}@example.test`;
    const { order } = await orderOf([{ product, coop }], { email, status: 'shipped', name: 'Giulia Neri' });
    await transitionShare(shareId(order._id, coop._id), 'delivered', { coopId: coop.id });

    const mailer = new MemoryMailer();
    const { invitations } = buildServices({ mailer, env: { PUBLIC_URL: shop.baseUrl } });
    await invitations.schedule(new Date(Date.now() + 8 * 86_400_000));
    for (let i = 0; i < 50 && !mailer.sent.some((m) => m.to === email); i++)
      await invitations.sendDue(new Date(Date.now() + 8 * 86_400_000));
    const mail = mailer.sent.find((m) => m.to === email);
    assert.ok(mail, 'the invitation reached the buyer');
    const link = /(http:\/\/127\.0\.0\.1:\d+\/reviews\/link\/[\w-]+)/.exec(mail.text)![1]!;

    const context = await shop.browser.newContext();
    const page = await context.newPage();
    // The JSON-LD is a data block, which the strict CSP lets be (it is never run): no page may report a blocked script.
    const blocked: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) blocked.push(m.text());
    });
    try {
      await step(page, 'open the link from the mail', async () => {
        await page.goto(link, DOM);
        assert.match(await page.locator('h1').innerText(), new RegExp(order.number));
        await noAxeProblems(page, 'the review form');
      });
      await step(page, 'write the review', async () => {
        await page.locator(`label[for="stars-${product.id}-4"]`).click();
        await page.fill(`#title-${product.id}`, 'Arrivato <b>perfetto</b>');
        await page.fill(`#body-${product.id}`, `Ottimo.\n${LONG_WORD}`);
        await Promise.all([page.waitForNavigation(DOM), page.locator('form.review-form button[type=submit]').click()]);
        assert.match(await page.locator('.flash').first().innerText(), /published|pubblicata/);
        await noAxeProblems(page, 'the review page after writing');
      });
      await step(page, 'see it on the product page', async () => {
        await page.goto(`${shop.baseUrl}/products/${product.slug}`, DOM);
        const r = page.locator('.review-list .review').first();
        assert.match(await r.innerText(), /Giulia N\./);
        assert.match(await r.innerText(), /Arrivato <b>perfetto<\/b>/);
        const ld = JSON.parse((await page.locator('script[type="application/ld+json"]').textContent()) ?? '{}') as {
          aggregateRating?: { reviewCount: number };
        };
        assert.equal(ld.aggregateRating?.reviewCount, 1);
        await noAxeProblems(page, 'the product page with a review');
      });
      await step(page, 'open the report form', async () => {
        await Promise.all([page.waitForNavigation(DOM), page.locator('.review-actions a').first().click()]);
        await noAxeProblems(page, 'the report form');
      });
      await step(page, 'the co-op replies from its workspace', async () => {
        await signIn(page, shop.baseUrl, manager.email, PASSWORD);
        await page.goto(`${shop.baseUrl}/workspace/${coop.slug}/reviews`, DOM);
        await noAxeProblems(page, 'the workspace reviews');
        await page.locator('textarea[name="text"]').first().fill('Grazie Giulia, a presto!');
        await Promise.all([page.waitForNavigation(DOM), page.locator('form.ws-form button[type=submit]').first().click()]);
        await page.goto(`${shop.baseUrl}/products/${product.slug}`, DOM);
        assert.match(await page.locator('.review-reply').first().innerText(), /Grazie Giulia, a presto!/);
      });
    } finally {
      await context.close();
    }
    assert.deepEqual(blocked, []);

    // Moderation and the stop link: the last two review pages, for axe.
    const reviewId = `${String(order._id)}-${product.id}`;
    await buildServices().reviews.report(reviewId, { reason: 'off_topic', note: "Parla d'altro" }, null);
    const admin = await makeUser({ isAdmin: true });
    const adminContext = await shop.browser.newContext();
    const adminPage = await adminContext.newPage();
    try {
      await step(adminPage, 'the admin sees the reported review', async () => {
        await signIn(adminPage, shop.baseUrl, admin.email, PASSWORD);
        await adminPage.goto(`${shop.baseUrl}/admin/reviews`, DOM);
        assert.match(await adminPage.locator(`#review-${reviewId}`).innerText(), /Arrivato <b>perfetto<\/b>/);
        await noAxeProblems(adminPage, 'the moderation page');
      });
      await step(adminPage, 'the stop link from the mail', async () => {
        const stop = /(http:\/\/127\.0\.0\.1:\d+\/reviews\/stop\/[\w.-]+)/.exec(mail.text)![1]!;
        await adminPage.goto(stop, DOM);
        await noAxeProblems(adminPage, 'the stopped page');
      });
    } finally {
      await adminContext.close();
    }

    const phone = await shop.browser.newContext(PHONE);
    const small = await phone.newPage();
    try {
      await step(small, 'the product page on a phone', async () => {
        await small.goto(`${shop.baseUrl}/products/${product.slug}`, DOM);
        assert.match(await small.locator('.review-body').first().innerText(), new RegExp(LONG_WORD));
        assert.equal(await sidewaysOverflow(small), 0);
        await noAxeProblems(small, 'the product page on a phone');
      });
    } finally {
      await phone.close();
    }
  });
});
