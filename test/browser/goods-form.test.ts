import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { DEMO_MEMBER } from '../../src/demo/demo-data';
import { ProductModel } from '../../src/catalog/product.model';
import { axeProblems, browserAvailable, openDemoShop, signIn, step, type Shop } from './browser';

const DOM = { waitUntil: 'domcontentloaded' } as const;
/**
 * The new-product form's height at 390 px before it was reworked (4 empty
 * variant blocks of 7 fields, every optional field open, photos only after
 * saving), measured with this same test on that code: 5,104 px.
 */
const FORM_HEIGHT_BEFORE_PX = 5104;

const measure = `(() => ({
  form: Math.round(document.querySelector('main form.ws-goods').getBoundingClientRect().height),
  wide: document.documentElement.scrollWidth,
  narrow: document.documentElement.clientWidth,
}))()`;

describe('the workspace home and the new-product form on a 390 px phone (Chromium)', function () {
  this.timeout(180_000);
  let shop: Shop;
  let dir = '';

  before(async function () {
    if (!browserAvailable()) return this.skip();
    shop = await openDemoShop();
    dir = await mkdtemp(join(tmpdir(), 'filiera-goods-'));
  });
  after(async () => {
    await shop?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('is under half its old height, never scrolls sideways, passes axe, previews the photo and publishes with it', async () => {
    const photo = join(dir, 'jar.jpg');
    await sharp({ create: { width: 800, height: 600, channels: 3, background: { r: 200, g: 140, b: 30 } } })
      .jpeg()
      .toFile(photo);
    const context = await shop.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    try {
      await step(page, 'member signs in', () => signIn(page, shop.baseUrl, DEMO_MEMBER.email, DEMO_MEMBER.password));
      const base = `${shop.baseUrl}/workspace/${DEMO_MEMBER.coop}`;
      await step(page, 'the workspace home at a glance', async () => {
        await page.goto(base, DOM);
        assert.equal(await page.locator('#glance-ship .figure').count(), 1);
        const m = (await page.evaluate(
          `({ wide: document.documentElement.scrollWidth, narrow: document.documentElement.clientWidth })`,
        )) as {
          wide: number;
          narrow: number;
        };
        assert.ok(m.wide <= m.narrow, `home scrolls sideways: ${m.wide} > ${m.narrow}`);
        assert.deepEqual(await axeProblems(page), []);
        if (process.env.SHOTS) await page.screenshot({ path: `${process.env.SHOTS}/home.png`, fullPage: true });
      });
      await step(page, 'the empty form', async () => {
        await page.goto(`${base}/goods/new`, DOM);
        if (process.env.SHOTS) await page.screenshot({ path: `${process.env.SHOTS}/form.png`, fullPage: true });
        const m = (await page.evaluate(measure)) as { form: number; wide: number; narrow: number };
        console.log(`      goods form at 390 px: ${m.form} px (was ${FORM_HEIGHT_BEFORE_PX} px)`);
        assert.ok(m.form < FORM_HEIGHT_BEFORE_PX / 2, `form ${m.form} px`);
        assert.ok(m.wide <= m.narrow, `scrolls sideways: ${m.wide} > ${m.narrow}`);
        assert.deepEqual(await axeProblems(page), []);
      });
      const name = `Miele di prova ${Date.now()}`;
      await step(page, 'publish refused without a photo, nothing lost', async () => {
        await page.fill('#f-nameIt', name);
        await page.selectOption('#f-category', 'honey');
        await page.fill('#f-vPrice-0', '8,50');
        await page.fill('#f-vStock-0', '6');
        await Promise.all([
          page.waitForLoadState('domcontentloaded'),
          page.click('button[name="intent"][value="publish"]:not(.visually-hidden)'),
        ]);
        await page.waitForSelector('#err-image');
        if (process.env.SHOTS) await page.screenshot({ path: `${process.env.SHOTS}/refused.png`, fullPage: true });
        assert.equal(await page.inputValue('#f-nameIt'), name);
        assert.equal(await page.inputValue('#f-vPrice-0'), '8,50');
        const m = (await page.evaluate(measure)) as { wide: number; narrow: number };
        assert.ok(m.wide <= m.narrow, `scrolls sideways: ${m.wide} > ${m.narrow}`);
        assert.deepEqual(await axeProblems(page), []);
      });
      await step(page, 'a photo over 8 MB is refused before sending, nothing typed lost', async () => {
        await page.setInputFiles('#f-image', { name: 'huge.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(9 * 1024 * 1024, 0xff) });
        await page.waitForSelector('[data-photo-too-big]:not([hidden])');
        assert.equal(await page.evaluate(`document.querySelector('#f-image').files.length`), 0);
        assert.equal(await page.inputValue('#f-nameIt'), name);
      });
      await step(page, 'the chosen photo is previewed, then published with it', async () => {
        await page.setInputFiles('#f-image', photo);
        await page.waitForSelector('img[data-photo-preview]:not([hidden])');
        assert.match((await page.getAttribute('img[data-photo-preview]', 'src')) ?? '', /^data:image\/jpeg;base64,/);
        await Promise.all([
          page.waitForURL(/\/goods\/[a-f0-9]{24}\/edit$/, DOM),
          page.click('button[name="intent"][value="publish"]:not(.visually-hidden)'),
        ]);
        const id = /\/goods\/([a-f0-9]{24})\/edit$/.exec(page.url())![1];
        const p = (await ProductModel.findById(id).lean())!;
        assert.equal(p.published, true);
        assert.equal(p.images.length, 1);
        const m = (await page.evaluate(measure)) as { wide: number; narrow: number };
        assert.ok(m.wide <= m.narrow, `edit form scrolls sideways: ${m.wide} > ${m.narrow}`);
        assert.deepEqual(await axeProblems(page), []);
      });
    } finally {
      await context.close();
    }
  });
});
