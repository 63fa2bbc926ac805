import assert from 'node:assert/strict';
import type { Express } from 'express';
import { buildApp, browser, csrfFrom } from '../support/app';
import { Types } from 'mongoose';
import { makeCoop, makeListedProduct, unique } from '../support/factories';
import { PromotionBody, createPromotion } from '../../src/promotions';
import { stockChanged } from '../../src/catalog';
import { StockLevelModel, stockId } from '../../src/catalog/stock.model';

/** Counts renders of the cart's view from now on, to tell a kept page from a new one. */
function countCartRenders(app: Express): () => number {
  let n = 0;
  type Engine = (file: string, options: object, cb: (err: Error | null, html?: string) => void) => void;
  const render = (app as unknown as { engines: Record<string, Engine> }).engines['.ejs']!;
  app.engine('ejs', (file: string, options: object, cb: (err: Error | null, html?: string) => void) => {
    if (file.endsWith('cart/show.ejs')) n++;
    render(file, options, cb);
  });
  return () => n;
}

describe("a guest's cart page, kept per cart", () => {
  let app: Express;
  let renders: () => number;
  before(() => {
    app = buildApp().app;
    renders = countCartRenders(app);
  });

  /** A guest who put `quantity` of each product in the cart, and has seen the message that says so. */
  async function guestWith(products: { _id: unknown }[], quantity = 1) {
    const b = browser(app);
    const csrf = csrfFrom((await b.get('/login')).text);
    for (const p of products)
      await b
        .post('/cart/items')
        .type('form')
        .send({ _csrf: csrf, productId: String(p._id), sku: 'default', quantity: String(quantity) })
        .expect(303);
    await b.get('/cart').expect(200); // the flash of the last add is shown once
    return { b, csrf };
  }

  it('is rendered once for the same cart, each guest getting their own token, which works', async () => {
    const coop = await makeCoop();
    const p = await makeListedProduct(coop, { stock: 20 });
    const first = await guestWith([p]);
    const second = await guestWith([p]);
    const before = renders();
    const a = await first.b.get('/cart').expect(200);
    const b = await second.b.get('/cart').expect(200);
    assert.ok(renders() - before <= 1, 'at most one rendering for both');
    assert.match(a.text, new RegExp(p.name!.it));
    assert.equal(csrfFrom(a.text), first.csrf);
    assert.equal(csrfFrom(b.text), second.csrf);
    const key = /action="\/cart\/items\/([^/"]+)\/quantity"/.exec(b.text)![1]!;
    await second.b
      .post(`/cart/items/${key}/quantity`)
      .type('form')
      .send({ _csrf: csrfFrom(b.text), quantity: '3' })
      .expect(303);
    const json = await second.b.get('/cart').set('Accept', 'application/json').expect(200);
    assert.equal(json.body.cart.itemCount, 3, 'a JSON request gets JSON, not the kept page');
    assert.match((await second.b.get('/cart').expect(200)).text, /value="3"/, 'the changed cart shows on the next page');
  });

  it('shows a stock change on the next page', async () => {
    const coop = await makeCoop();
    const p = await makeListedProduct(coop, { stock: 20 });
    const { b } = await guestWith([p], 5);
    await b.get('/cart').expect(200);
    await StockLevelModel.updateOne({ _id: stockId(p._id, 'default') }, { $set: { onHand: 2 } });
    await stockChanged([String(p._id)]);
    const page = await b.get('/cart').expect(200);
    assert.match(page.text, /solo 2/i);
  });

  it('is not kept with a discount code, whose state is read each time', async () => {
    const coop = await makeCoop();
    const p = await makeListedProduct(coop, { stock: 20 });
    const { b, csrf } = await guestWith([p]);
    const code = `K${unique().toUpperCase()}`;
    await createPromotion(
      { userId: String(new Types.ObjectId()), admin: true },
      PromotionBody.parse({ type: 'code', code, name: 'Prova', scope: 'all', valueKind: 'fixed', amount: '1,00' }),
    );
    await b.post('/cart/code').type('form').send({ _csrf: csrf, code }).expect(303);
    await b.get('/cart').expect(200); // the code's message
    const before = renders();
    await b.get('/cart').expect(200);
    await b.get('/cart').expect(200);
    assert.equal(renders() - before, 2);
  });

  it('follows the automatic promotions: one switched on shows on the next page', async () => {
    const coop = await makeCoop();
    const p = await makeListedProduct(coop, { stock: 20 });
    const { b } = await guestWith([p]);
    await b.get('/cart').expect(200);
    await createPromotion(
      { userId: String(new Types.ObjectId()), coopId: coop.id },
      PromotionBody.parse({
        type: 'automatic',
        name: 'Festa del raccolto',
        scope: 'all',
        valueKind: 'percent',
        percent: '10',
        maxUses: '50',
      }),
    );
    assert.match((await b.get('/cart').expect(200)).text, /Festa del raccolto/);
  });
});
