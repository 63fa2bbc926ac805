import assert from 'node:assert/strict';
import type { Express } from 'express';
import mongoose from 'mongoose';
import request from 'supertest';
import { buildApp } from '../support/app';
import { catalogChanged, stockChanged } from '../../src/catalog';
import { ProductModel } from '../../src/catalog/product.model';
import { StockLevelModel, stockId } from '../../src/catalog/stock.model';
import { trusted } from '../../src/platform/db';
import { makeCoop, makeProduct, makeUser, PASSWORD } from '../support/factories';

describe('storefront pages', () => {
  let app: Express;
  let coop: Awaited<ReturnType<typeof makeCoop>>;
  let honey: Awaited<ReturnType<typeof makeProduct>>;
  let shirt: Awaited<ReturnType<typeof makeProduct>>;

  before(async () => {
    app = buildApp().app;
    coop = await makeCoop({ name: 'Cooperativa Pagine Prova' });
    honey = await makeProduct(coop, {
      category: 'honey',
      nameIt: 'Miele di tiglio',
      nameEn: 'Linden honey',
      descIt: 'Profumo di menta </script><b>x</b>',
      priceCents: 890,
      certifications: ['organic'],
    });
    shirt = await makeProduct(coop, {
      category: 'clothing',
      nameIt: 'Camicia in lino',
      nameEn: '',
      certifications: ['handmade'],
      variants: [
        { sku: 'S', priceCents: 7900, stock: 0, it: 'S, bianco', en: 'S, white' },
        { sku: 'M', priceCents: 8200, stock: 4, it: 'M, bianco', en: 'M, white' },
      ],
    });
    await catalogChanged();
  });

  describe('GET /', () => {
    it('shows the departments with their categories', async () => {
      const res = await request(app).get('/').expect(200);
      assert.match(res.text, /href="\/shop\/produce\/honey"/);
      assert.match(res.text, /href="\/shop\/craft\/ceramics"/);
      assert.match(res.text, /Di stagione adesso/);
      assert.match(res.text, /Novità dai laboratori/);
    });
  });

  describe('GET /shop', () => {
    it('lists products with filters in a plain GET form', async () => {
      const res = await request(app).get(`/shop?coop=${coop.slug}`).expect(200);
      assert.match(res.text, /<form method="get" action="\/shop"/);
      assert.ok(res.text.includes(`/products/${honey.slug}`));
      assert.ok(res.text.includes(`/products/${shirt.slug}`));
      assert.match(res.text, /2 prodotti/);
    });

    it('folds the filters into a disclosure, closed, its summary counting the filters in use', async () => {
      const plain = await request(app).get('/shop').expect(200);
      assert.match(plain.text, /<details class="filters-box">\s*<summary>Filtri e ordinamento<\/summary>/);
      const filtered = await request(app).get(`/shop?coop=${coop.slug}&stock=1&sort=name`).expect(200);
      assert.match(
        filtered.text,
        /<details class="filters-box">\s*<summary>Filtri e ordinamento <span class="badge" aria-hidden="true">2<\/span><span class="visually-hidden">, 2 filtri attivi<\/span><\/summary>/,
      );
      const category = await request(app).get(`/shop/produce/honey`).expect(200);
      assert.match(category.text, /<summary>Filtri e ordinamento<\/summary>/, 'the page itself is no filter');
    });

    it('redirects a department and category chosen in the form to the category page, keeping the other filters', async () => {
      const res = await request(app).get(`/shop?department=&category=honey&coop=${coop.slug}&sort=name`).expect(302);
      assert.equal(res.headers.location, `/shop/produce/honey?coop=${coop.slug}&sort=name`);
    });

    it('drops a category left over from the other department', async () => {
      const res = await request(app).get('/shop?department=craft&category=honey').expect(302);
      assert.equal(res.headers.location, '/shop/craft');
    });

    it('keeps pagination links on stable query strings', async () => {
      const res = await request(app).get('/shop?sort=price-asc&stock=1').expect(200);
      if (/rel="next"/.test(res.text)) assert.match(res.text, /href="\/shop\?stock=1&amp;sort=price-asc&amp;page=2" rel="next"/);
    });
  });

  describe('GET /shop/:department/:category', () => {
    it('lists that category only', async () => {
      const res = await request(app).get(`/shop/produce/honey?coop=${coop.slug}`).expect(200);
      assert.ok(res.text.includes(`/products/${honey.slug}`));
      assert.ok(!res.text.includes(`/products/${shirt.slug}`));
      assert.match(res.text, /<h1>Miele<\/h1>/);
    });

    describe('when the department or category does not exist', () => {
      for (const path of ['/shop/furniture', '/shop/produce/furniture', '/shop/craft/honey', '/shop/produce/honey/extra']) {
        it(`responds 404 with a way back for ${path}`, async () => {
          const res = await request(app).get(path).expect(404);
          assert.match(res.text, /href="\/"/);
          assert.match(res.text, /href="\/shop"/);
        });
      }
    });
  });

  describe('bad or hostile query strings', () => {
    const hostile = [
      '/shop?price[$gt]=0',
      '/shop?coop[$ne]=x&region[$regex]=.*',
      '/shop?coop=a&coop=b',
      '/shop?min=-5&max=abc',
      '/shop?page=-1',
      '/shop?page=99999',
      '/shop?page=1e9&sort=__proto__',
      `/search?q=${'x'.repeat(10_240)}`,
      '/search?q=.*(',
      '/search?q=%00%24where',
      '/search?q[$ne]=1',
      '/shop/produce?cert=organic&cert=dop&stock=yes&season=1',
    ];
    for (const url of hostile) {
      it(`answers ${url.slice(0, 60)} without an error`, async () => {
        const res = await request(app).get(url);
        assert.ok(res.status === 200 || res.status === 302, `${res.status}`);
      });
    }

    it('says which input it ignored', async () => {
      const res = await request(app).get('/shop?min=-5&price[$gt]=0').expect(200);
      assert.match(res.text, /Il prezzo deve essere un numero positivo/);
      assert.match(res.text, /Alcuni filtri non erano validi/);
      assert.match(res.text, /id="f-min"[^>]*aria-invalid="true" aria-describedby="price-error"/);
      assert.match(res.text, /<details class="filters-box" open>/, 'open, so the message is seen');
    });

    it('shows the last page for a page past the end, with a notice', async () => {
      const res = await request(app).get(`/shop?coop=${coop.slug}&page=99999`).expect(200);
      assert.match(res.text, /Quella pagina non esiste/);
      assert.ok(res.text.includes(`/products/${honey.slug}`));
    });

    it('shortens a 10 KB search and says so', async () => {
      const res = await request(app)
        .get(`/search?q=${'miele'.repeat(2048)}`)
        .expect(200);
      assert.match(res.text, /La ricerca era troppo lunga/);
    });
  });

  describe('GET /search', () => {
    it('finds products whatever the accents and case', async () => {
      const res = await request(app).get('/search?q=TIGLIO').expect(200);
      assert.ok(res.text.includes(`/products/${honey.slug}`));
    });

    it('finds products by their English name', async () => {
      const res = await request(app).get('/search?q=linden').expect(200);
      assert.ok(res.text.includes(`/products/${honey.slug}`));
    });

    it('asks for a search text when there is none', async () => {
      const res = await request(app).get('/search').expect(200);
      assert.match(res.text, /Scrivi che cosa cerchi/);
    });
  });

  describe('GET /products/:slug', () => {
    it('shows price, unit price, IVA, stock, the co-op and an add-to-cart form', async () => {
      const res = await request(app).get(`/products/${honey.slug}`).expect(200);
      assert.match(res.text, /<h1>Miele di tiglio<\/h1>/);
      assert.match(res.text, /8,90\s€/);
      assert.match(res.text, /17,80\s€ al kg/);
      assert.match(res.text, /IVA 10% inclusa/);
      assert.match(res.text, /<form class="add-to-cart" method="post" action="\/cart\/items">/);
      assert.match(res.text, /name="_csrf" value="[^"]+"/);
      assert.match(res.text, new RegExp(`name="productId" value="${String(honey._id)}"`));
      assert.match(res.text, /name="sku" value="default"/);
      assert.match(res.text, /name="quantity"/);
      assert.ok(res.text.includes(`href="/coops/${coop.slug}"`));
    });

    it('offers the variants, with sold-out ones disabled', async () => {
      const res = await request(app).get(`/products/${shirt.slug}`).expect(200);
      assert.match(res.text, /type="radio" id="v-0" name="sku" value="S" disabled/);
      assert.match(res.text, /type="radio" id="v-1" name="sku" value="M" checked/);
      assert.match(res.text, /Esaurito/);
    });

    it('carries schema.org JSON-LD that cannot close its script element, and Open Graph tags', async () => {
      const res = await request(app).get(`/products/${honey.slug}`).expect(200);
      const m = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(res.text);
      assert.ok(m);
      assert.ok(!m[1]!.includes('<'));
      const ld = JSON.parse(m[1]!);
      assert.equal(ld['@type'], 'Product');
      assert.equal(ld.offers[0].price, '8.90');
      assert.equal(ld.offers[0].priceCurrency, 'EUR');
      assert.match(ld.description, /<\/script>/);
      assert.match(res.text, /<meta property="og:title" content="Miele di tiglio">/);
      assert.match(res.text, /<meta property="og:type" content="product">/);
      const inline = [...res.text.matchAll(/<script(?![^>]*\bsrc=)(?![^>]*application\/ld\+json)[^>]*>/g)];
      assert.equal(inline.length, 0);
    });

    it('shows English to English readers, falling back to Italian content', async () => {
      const res = await request(app).get(`/products/${shirt.slug}`).set('Cookie', 'lang=en').expect(200);
      assert.match(res.text, /<html lang="en">/);
      assert.match(res.text, /Add to cart/);
      assert.match(res.text, /<h1>Camicia in lino<\/h1>/, 'no English name, so the Italian one');
      assert.match(res.text, /M, white/);
    });

    it('responds 404 for an unknown, unpublished or archived product', async () => {
      const hidden = await makeProduct(coop, { published: false });
      const archived = await makeProduct(coop, { archived: true });
      await catalogChanged();
      for (const slug of ['no-such-product', hidden.slug, archived.slug, 'BAD%20slug%24']) {
        const res = await request(app).get(`/products/${slug}`).expect(404);
        assert.match(res.text, /href="\/shop"/);
      }
    });

    it('shows a stock change made through stockChanged', async () => {
      const p = await makeProduct(coop, { stock: 2 });
      await catalogChanged();
      await StockLevelModel.updateOne({ _id: stockId(p._id, 'default') }, { $set: { onHand: 0 } });
      await stockChanged([String(p._id)]);
      const res = await request(app).get(`/products/${p.slug}`).expect(200);
      assert.match(res.text, /Esaurito/);
      assert.doesNotMatch(res.text, /Aggiungi al carrello/);
    });
  });

  describe('database queries per page', () => {
    /**
     * Counts the operations Mongoose sends while `fn` runs (every model
     * query, insert and update goes through its debug hook).
     */
    async function countCommands(fn: () => Promise<unknown>): Promise<number> {
      let n = 0;
      mongoose.set('debug', () => void n++);
      try {
        await fn();
      } finally {
        mongoose.set('debug', false);
      }
      return n;
    }

    it('does not grow with the size of the catalogue (50 vs 500 products)', async function () {
      this.timeout(60_000);
      const big = await makeCoop();
      const docs = (n: number, from: number) =>
        Array.from({ length: n }, (_, i) => ({
          coop: big._id,
          department: 'produce',
          category: i % 2 ? 'honey' : 'cheese',
          slug: `carico-${big.slug}-${from + i}`,
          name: { it: `Prodotto di carico ${from + i}`, en: `Load product ${from + i}` },
          priceCents: 100 + i,
          ivaRate: 4,
          published: true,
          variants: [{ sku: 'default', priceCents: 100 + i }],
        }));
      const addProducts = async (n: number, from: number) => {
        const made = await ProductModel.insertMany(docs(n, from));
        await StockLevelModel.insertMany(made.map((d) => ({ _id: stockId(d._id, 'default'), product: d._id, sku: 'default', onHand: 5 })));
      };
      try {
        assert.ok((await countCommands(() => ProductModel.findOne({ slug: 'x' }).lean())) >= 1, 'the counter sees commands');
        const url = `/shop/produce?coop=${big.slug}&stock=1&sort=price-asc`;
        await addProducts(50, 0);
        await catalogChanged();
        const small = await countCommands(() => request(app).get(url).expect(200));
        const search = await countCommands(() => request(app).get('/search?q=carico').expect(200));
        await addProducts(450, 50);
        await catalogChanged();
        const large = await countCommands(() => request(app).get(url).expect(200));
        const searchLarge = await countCommands(() => request(app).get('/search?q=carico').expect(200));
        assert.equal(large, small);
        assert.equal(searchLarge, search);
        assert.ok(large <= 2, `${large} commands for a listing`);
      } finally {
        const ids = (await ProductModel.find({ coop: big._id }, { _id: 1 }).lean()).map((d) => d._id);
        await ProductModel.deleteMany({ coop: big._id });
        await StockLevelModel.deleteMany({ product: trusted({ $in: ids }) });
        await catalogChanged();
      }
    });
  });
});

describe('rendered-page cache for visitors without a session', () => {
  let app: Express;
  before(() => {
    app = buildApp().app;
  });

  it('shows an edit as soon as the catalogue reloads', async () => {
    const coop = await makeCoop();
    const p = await makeProduct(coop, { nameIt: 'Nome prima' });
    await catalogChanged();
    const url = `/shop?coop=${coop.slug}`;
    assert.match((await request(app).get(url).expect(200)).text, /Nome prima/);
    await ProductModel.updateOne({ _id: p._id }, { $set: { 'name.it': 'Nome dopo' } });
    assert.match((await request(app).get(url).expect(200)).text, /Nome prima/, 'not reloaded yet');
    await catalogChanged();
    const after = await request(app).get(url).expect(200);
    assert.match(after.text, /Nome dopo/);
    assert.doesNotMatch(after.text, /Nome prima/);
  });

  it('lets a browser without a session revalidate a page without a form, and serves a guest the same page with their count', async () => {
    const coop = await makeCoop();
    const p = await makeProduct(coop);
    await catalogChanged();
    const url = `/shop?coop=${coop.slug}`;
    const renders = countRenders(app, 'catalog/listing.ejs');
    const first = await request(app).get(url).expect(200);
    assert.ok(first.headers.etag, 'a page the same for everyone without a session has an ETag');
    assert.match(first.text, /<span class="badge" aria-label="0 articoli nel carrello">0<\/span>/);
    await request(app).get(url).set('If-None-Match', first.headers.etag).expect(304);
    const guest = await guestWithUnits(app, p, 2);
    const theirs = await guest.get(url).expect(200);
    assert.equal(renders(), 1, 'one rendering served both');
    assert.match(theirs.text, /<span class="badge" aria-label="2 articoli nel carrello">2<\/span>/);
    assert.equal(theirs.headers.etag, undefined, 'a page for a visitor with a session is never stored, so it has no ETag');
  });

  it('keeps pages apart by language', async () => {
    const coop = await makeCoop();
    await catalogChanged();
    const it = await request(app).get(`/coops/${coop.slug}`).expect(200);
    const en = await request(app).get(`/coops/${coop.slug}`).set('Cookie', 'lang=en').expect(200);
    assert.match(it.text, /<html lang="it">/);
    assert.match(en.text, /<html lang="en">/);
  });

  it('never keeps a page that starts a session', async () => {
    const coop = await makeCoop();
    const p = await makeProduct(coop);
    await catalogChanged();
    const one = await request(app).get(`/products/${p.slug}`).expect(200);
    const two = await request(app).get(`/products/${p.slug}`).expect(200);
    assert.match(String(one.headers['set-cookie']), /filiera\.sid=/);
    assert.match(String(two.headers['set-cookie']), /filiera\.sid=/);
    assert.notEqual(csrfOf(one.text), csrfOf(two.text));
  });
});

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1];

/** A guest with `quantity` units of `p` in the cart, its message seen; returns the browser. */
async function guestWithUnits(app: Express, p: { _id: unknown; slug: string }, quantity: number) {
  const b = request.agent(app);
  const page = await b.get(`/products/${p.slug}`).expect(200);
  await b
    .post('/cart/items')
    .type('form')
    .send({ _csrf: csrfOf(page.text), productId: String(p._id), sku: 'default', quantity: String(quantity) })
    .expect(303);
  await b.get('/cart').expect(200); // shows the flash of the add once
  return b;
}

describe('rendered pages for visitors with a session', () => {
  let app: Express;
  before(() => {
    app = buildApp().app;
  });

  const guestWithCart = (p: { _id: unknown; slug: string }) => guestWithUnits(app, p, 1);

  it('renders a page once for all guests, each with their own CSRF token and cart count', async () => {
    const coop = await makeCoop();
    const [p, q] = [await makeProduct(coop), await makeProduct(coop)];
    await catalogChanged();
    const one = await guestWithCart(p);
    const two = await guestWithCart(p);
    const renders = countRenders(app, 'catalog/product.ejs');
    const a = await one.get(`/products/${q.slug}`).expect(200);
    const b = await two.get(`/products/${q.slug}`).expect(200);
    assert.equal(renders(), 1, 'the second guest got the page rendered for the first');
    assert.match(a.text, /class="badge"[^>]*>1</);
    assert.match(b.text, /class="badge"[^>]*>1</);
    assert.notEqual(csrfOf(a.text), csrfOf(b.text));
    assert.doesNotMatch(a.text + b.text, /csrfslot/);
    // Each token is its visitor's own: the form works with it, and not with the other's.
    const add = (who: typeof one, token: string | undefined) =>
      who
        .post('/cart/items')
        .type('form')
        .send({ _csrf: token, productId: String(q._id), sku: 'default', quantity: '2' });
    await add(one, csrfOf(a.text)).expect(303);
    await add(two, csrfOf(a.text)).expect(403);
    // A guest with another count gets the same page, with their count, said in words too.
    await one.get('/cart').expect(200);
    const three = await one.get(`/products/${q.slug}`).expect(200);
    const still = await two.get(`/products/${q.slug}`).expect(200);
    assert.equal(renders(), 1);
    assert.match(three.text, /<span class="badge" aria-label="3 articoli nel carrello">3<\/span>/);
    assert.match(still.text, /class="badge"[^>]*>1</);
    assert.doesNotMatch(three.text + still.text, /cartslot|csrfslot/);
  });

  it("sends a kept page gzipped to a browser that takes gzip, with the visitor's own token in it, and plain to one that does not", async () => {
    const coop = await makeCoop();
    const [p, q] = [await makeProduct(coop), await makeProduct(coop)];
    await catalogChanged();
    const guest = await guestWithCart(p);
    const renders = countRenders(app, 'catalog/product.ejs');
    const first = await guest.get(`/products/${q.slug}`).set('Accept-Encoding', 'identity').expect(200);
    const zipped = await guest.get(`/products/${q.slug}`).set('Accept-Encoding', 'gzip, deflate, br, zstd').expect(200);
    const plain = await guest.get(`/products/${q.slug}`).set('Accept-Encoding', 'identity').expect(200);
    assert.equal(renders(), 1, 'both kept-page answers came from the first rendering');
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.equal(plain.headers['content-encoding'], undefined);
    for (const res of [zipped, plain]) assert.match(String(res.headers.vary), /Accept-Encoding/);
    // The gzipped page inflates (CRC and length checked) to exactly the plain one, with the visitor's own token and count.
    const token = csrfOf(zipped.text);
    assert.ok(token && token === csrfOf(first.text));
    assert.ok(zipped.text === plain.text, 'the same page in both codings');
    assert.match(zipped.text, /class="badge"[^>]*>1</);
    assert.doesNotMatch(zipped.text, /cartslot|csrfslot/);
    await guest
      .post('/cart/items')
      .type('form')
      .send({ _csrf: token, productId: String(q._id), sku: 'default', quantity: '1' })
      .expect(303);
  });

  it('keeps a listing through sales that leave units, and renders it again when a product sells out', async () => {
    const coop = await makeCoop();
    const [p, q] = [await makeProduct(coop, { stock: 5 }), await makeProduct(coop, { stock: 5 })];
    await catalogChanged();
    const b = await guestWithCart(p);
    const url = `/shop?coop=${coop.slug}`;
    const renders = countRenders(app, 'catalog/listing.ejs');
    const setLevel = async (product: typeof q, onHand: number) => {
      await StockLevelModel.updateOne({ _id: stockId(product._id, 'default') }, { $set: { onHand } });
      await stockChanged([String(product._id)]);
    };
    assert.doesNotMatch((await b.get(url).expect(200)).text, /Esaurito/);
    await setLevel(q, 2);
    await b.get(url).expect(200);
    assert.equal(renders(), 1, 'a sale that leaves units changes nothing a listing shows');
    await setLevel(q, 0);
    const after = await b.get(url).expect(200);
    assert.equal(renders(), 2);
    assert.match(after.text, /Esaurito/);
  });

  it("renders a product page again when its own level changes, and not for another product's", async () => {
    const coop = await makeCoop();
    const [p, q] = [await makeProduct(coop, { stock: 20 }), await makeProduct(coop, { stock: 20 })];
    await catalogChanged();
    const b = await guestWithCart(q);
    const renders = countRenders(app, 'catalog/product.ejs');
    const setLevel = async (product: typeof q, onHand: number) => {
      await StockLevelModel.updateOne({ _id: stockId(product._id, 'default') }, { $set: { onHand } });
      await stockChanged([String(product._id)]);
    };
    assert.doesNotMatch((await b.get(`/products/${p.slug}`).expect(200)).text, /Ultimi/);
    await setLevel(q, 19);
    await b.get(`/products/${p.slug}`).expect(200);
    assert.equal(renders(), 1, "another product's sale leaves this page as it was");
    await setLevel(p, 3);
    const three = await b.get(`/products/${p.slug}`).expect(200);
    assert.equal(renders(), 2);
    assert.match(three.text, /Ultimi 3 pezzi/);
    assert.match(three.text, /max="3"/);
    await setLevel(p, 2);
    assert.match((await b.get(`/products/${p.slug}`).expect(200)).text, /Ultimi 2 pezzi/);
    assert.equal(renders(), 3);
  });

  it('serves a guest with a message to show a fresh page', async () => {
    const coop = await makeCoop();
    const p = await makeProduct(coop);
    await catalogChanged();
    const b = await guestWithCart(p);
    await b.get(`/products/${p.slug}`).expect(200);
    const page = await b.get(`/products/${p.slug}`).expect(200);
    await b
      .post('/cart/items')
      .type('form')
      .send({ _csrf: csrfOf(page.text), productId: String(p._id), sku: 'default', quantity: '1' });
    const renders = countRenders(app, 'catalog/product.ejs');
    const withFlash = await b.get(`/products/${p.slug}`).expect(200);
    assert.equal(renders(), 1);
    assert.match(withFlash.text, /class="flash flash-success"/);
    assert.doesNotMatch((await b.get(`/products/${p.slug}`).expect(200)).text, /class="flash flash-success"/);
  });

  it('renders a page body once for signed-in visitors, each in their own header', async () => {
    const coop = await makeCoop();
    const q = await makeProduct(coop);
    await catalogChanged();
    const [u1, u2] = [await makeUser({ isAdmin: true }), await makeUser()];
    const signedIn = async (email: string) => {
      const b = request.agent(app);
      const login = await b.get('/login').expect(200);
      await b
        .post('/login')
        .type('form')
        .send({ _csrf: csrfOf(login.text), email, password: PASSWORD })
        .expect(303);
      return b;
    };
    const [b1, b2] = [await signedIn(u1.email), await signedIn(u2.email)];
    const renders = countRenders(app, 'catalog/product.ejs');
    const a = await b1.get(`/products/${q.slug}`).expect(200);
    const b = await b2.get(`/products/${q.slug}`).expect(200);
    assert.equal(renders(), 1);
    assert.match(a.text, /href="\/admin"/);
    assert.doesNotMatch(b.text, /href="\/admin"/);
    assert.notEqual(csrfOf(a.text), csrfOf(b.text));
  });

  it('shows an edit as soon as the catalogue reloads', async () => {
    const coop = await makeCoop();
    const p = await makeProduct(coop, { nameIt: 'Corpo prima' });
    await catalogChanged();
    const b = await guestWithCart(p);
    assert.match((await b.get(`/products/${p.slug}`).expect(200)).text, /Corpo prima/);
    await ProductModel.updateOne({ _id: p._id }, { $set: { 'name.it': 'Corpo dopo' } });
    await catalogChanged();
    const after = await b.get(`/products/${p.slug}`).expect(200);
    assert.match(after.text, /Corpo dopo/);
    assert.doesNotMatch(after.text, /Corpo prima/);
  });
});

/** Counts renders of one view from now on, to tell a kept body from a new one. */
function countRenders(app: Express, view: string): () => number {
  let n = 0;
  type Engine = (file: string, options: object, cb: (err: Error | null, html?: string) => void) => void;
  const render = (app as unknown as { engines: Record<string, Engine> }).engines['.ejs']!;
  app.engine('ejs', (file: string, options: object, cb: (err: Error | null, html?: string) => void) => {
    if (file.endsWith(view)) n++;
    render(file, options, cb);
  });
  return () => n;
}
