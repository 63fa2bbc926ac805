import type { Express } from 'express';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { Types } from 'mongoose';
import request from 'supertest';
import { buildApp, csrfFrom } from '../support/app';
import { ProductModel } from '../../src/catalog/product.model';
import { StockLevelModel, stockId } from '../../src/catalog/stock.model';
import { GoodsImportModel } from '../../src/catalog/goods-import.model';
import { applyGoodsImport, previewGoodsImport } from '../../src/catalog/goods.service';
import { memberOf, suffix } from './workspace.fixtures';
import { makeCoop } from '../support/factories';

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A 300-byte PNG that claims to be 60 000 × 60 000 pixels (3.6 gigapixels once decoded). */
function decompressionBomb(): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(60_000, 0);
  ihdr.writeUInt32BE(60_000, 4);
  ihdr.writeUInt8(8, 8); // bit depth
  ihdr.writeUInt8(0, 9); // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('co-op workspace uploads', () => {
  let app: Express;
  let uploadsDir: string;
  before(() => {
    const built = buildApp();
    app = built.app;
    uploadsDir = built.deps.config.uploadsDir;
  });

  const storedFiles = (): number => {
    try {
      return readdirSync(join(uploadsDir, 'products')).length;
    } catch {
      return 0;
    }
  };

  async function productWithManager() {
    const coop = await makeCoop();
    const { agent } = await memberOf(app, coop.id, 'manager');
    const p = await ProductModel.create({
      coop: coop.id,
      department: 'produce',
      category: 'honey',
      slug: `miele-${suffix()}`,
      name: { it: 'Miele', en: 'Honey' },
      priceCents: 900,
      ivaRate: 10,
      variants: [
        { sku: 'default', priceCents: 900 },
        { sku: 'big', priceCents: 1600 },
      ],
    });
    await StockLevelModel.create([
      { _id: stockId(p._id, 'default'), product: p._id, sku: 'default', onHand: 10 },
      { _id: stockId(p._id, 'big'), product: p._id, sku: 'big', onHand: 4 },
    ]);
    const edit = await agent.get(`/workspace/${coop.slug}/goods/${p._id}/edit`).expect(200);
    return {
      coop,
      agent,
      product: p,
      csrf: csrfFrom(edit.text),
      url: `/workspace/${coop.slug}/goods/${p._id}/images?_csrf=${encodeURIComponent(csrfFrom(edit.text))}`,
    };
  }

  describe('POST /workspace/:coopSlug/goods/:id/images', () => {
    describe('with a real photo', () => {
      it('stores it resized to WebP in three widths, without metadata, served as image/webp', async () => {
        const { agent, product, url } = await productWithManager();
        const photo = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#b5651d' } })
          .jpeg()
          .withExif({ IFD0: { Copyright: 'secret-owner', Artist: 'Someone' } })
          .toBuffer();
        await agent
          .post(url)
          .attach('image', photo, { filename: 'IMG_0001.JPG', contentType: 'image/jpeg' })
          .field('altIt', 'Un vasetto')
          .expect(303);
        const p = (await ProductModel.findById(product._id).lean())!;
        assert.equal(p.images.length, 1);
        const img = p.images[0]!;
        assert.match(img.key, /^products\/[a-f0-9]{32}$/);
        assert.deepEqual(img.widths, [320, 640, 960]);
        assert.equal(img.alt?.it, 'Un vasetto');
        const res = await request(app)
          .get(`/media/${img.key}-640.webp`)
          .buffer(true)
          .parse((r, cb) => {
            const chunks: Buffer[] = [];
            r.on('data', (c: Buffer) => chunks.push(c));
            r.on('end', () => cb(null, Buffer.concat(chunks)));
          })
          .expect(200);
        assert.equal(res.headers['content-type'], 'image/webp');
        const meta = await sharp(res.body as Buffer).metadata();
        assert.equal(meta.format, 'webp');
        assert.equal(meta.width, 640);
        assert.equal(meta.exif, undefined);
      });
    });

    const refusals: [string, () => Promise<Buffer> | Buffer, string, number, RegExp][] = [
      [
        'a text file renamed .jpg',
        () => Buffer.from('this is not a photo at all\n'.repeat(20)),
        'photo.jpg',
        422,
        /non è un&#39;immagine che riusciamo a leggere/,
      ],
      [
        'an SVG with a script',
        () =>
          Buffer.from(
            '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><script>alert(1)</script><rect width="100" height="100"/></svg>',
          ),
        'logo.jpg',
        422,
        /solo foto JPEG, PNG o WebP/,
      ],
      ['a decompression bomb', decompressionBomb, 'bomb.png', 422, /(troppo grande in pixel|non è un&#39;immagine)/],
      ['a 30 MB file', () => Buffer.alloc(30 * 1024 * 1024, 0xff), 'huge.jpg', 413, /troppo grande: al massimo 8 MB/],
    ];
    for (const [what, make, filename, status, message] of refusals) {
      describe(`with ${what}`, () => {
        it(`responds ${status} with a message and stores nothing`, async () => {
          const { agent, product, url } = await productWithManager();
          const before = storedFiles();
          const res = await agent.post(url).attach('image', await make(), { filename, contentType: 'image/jpeg' });
          assert.equal(res.status, status);
          assert.match(res.text, message);
          assert.match(res.text, /id="f-image"[^>]*aria-invalid="true"/);
          assert.equal(storedFiles(), before);
          assert.equal((await ProductModel.findById(product._id).lean())!.images.length, 0);
        });
      });
    }

    describe('without the CSRF token in the URL', () => {
      it('responds 403', async () => {
        const { agent, coop, product } = await productWithManager();
        await agent.post(`/workspace/${coop.slug}/goods/${product._id}/images`).attach('image', Buffer.from('x'), 'a.jpg').expect(403);
      });
    });
  });

  describe('bulk update by CSV', () => {
    it('previews bad rows with reasons, applies nothing until confirmed, and applying twice changes nothing more', async () => {
      const { agent, coop, product, csrf } = await productWithManager();
      const other = await ProductModel.create({
        coop: (await makeCoop()).id,
        department: 'produce',
        category: 'honey',
        slug: `altro-${suffix()}`,
        name: { it: 'Altro', en: 'Other' },
        priceCents: 500,
        ivaRate: 10,
        variants: [{ sku: 'default', priceCents: 500 }],
      });
      const csv = [
        'product;sku;price;stock',
        `${product.slug};default;10,50;25`,
        `${product.slug};big;;7`,
        `${product.slug};nope;3;1`,
        `${other.slug};default;1;1`,
        `${product.slug};default;dieci;`,
        `${product.slug};big;12;-3`,
      ].join('\n');
      const up = await agent
        .post(`/workspace/${coop.slug}/goods/import?_csrf=${encodeURIComponent(csrf)}`)
        .attach('file', Buffer.from(csv), { filename: 'prezzi.csv', contentType: 'text/csv' })
        .expect(303);
      const previewUrl = String(up.headers.location);
      const preview = await agent.get(previewUrl).expect(200);
      assert.match(preview.text, /Righe pronte: 2\. Righe con problemi: 4\./);
      assert.match(preview.text, /variante \(SKU\) non trovata/);
      assert.match(preview.text, /prodotto non trovato fra i vostri/);
      assert.match(preview.text, /prezzo non valido/);
      assert.match(preview.text, /scorte non valide/);
      // Nothing changed yet.
      assert.equal((await ProductModel.findById(product._id).lean())!.variants[0]!.priceCents, 900);
      assert.equal((await StockLevelModel.findById(stockId(product._id, 'default')).lean())!.onHand, 10);

      const apply = `${previewUrl}/apply`;
      const token = csrfFrom(preview.text);
      await agent.post(apply).type('form').send({ _csrf: token }).expect(303);
      const after = (await ProductModel.findById(product._id).lean())!;
      assert.equal(after.variants.find((v) => v.sku === 'default')!.priceCents, 1050);
      assert.equal(after.variants.find((v) => v.sku === 'big')!.priceCents, 1600);
      assert.equal((await StockLevelModel.findById(stockId(product._id, 'default')).lean())!.onHand, 25);
      assert.equal((await StockLevelModel.findById(stockId(product._id, 'big')).lean())!.onHand, 7);
      assert.equal((await ProductModel.findById(other._id).lean())!.priceCents, 500);

      // A checkout sells one unit; then the same preview is applied again.
      await StockLevelModel.updateOne({ _id: stockId(product._id, 'default') }, { $inc: { onHand: -1 } });
      await agent.post(apply).type('form').send({ _csrf: token }).expect(303);
      assert.equal((await StockLevelModel.findById(stockId(product._id, 'default')).lean())!.onHand, 24);
      assert.ok((await GoodsImportModel.findById(previewUrl.split('/').pop()).lean())!.appliedAt);
    });

    it('refuses a file that is not CSV with a message', async () => {
      const { agent, coop, csrf } = await productWithManager();
      const res = await agent
        .post(`/workspace/${coop.slug}/goods/import?_csrf=${encodeURIComponent(csrf)}`)
        .attach('file', Buffer.from('name,price\nHoney,3\n'), { filename: 'x.csv', contentType: 'text/csv' })
        .expect(422);
      assert.match(res.text, /Mancano le colonne product e sku/);
    });

    it("does not show another co-op's preview", async () => {
      const { agent, coop, csrf } = await productWithManager();
      const up = await agent
        .post(`/workspace/${coop.slug}/goods/import?_csrf=${encodeURIComponent(csrf)}`)
        .attach('file', Buffer.from('product,sku,price\nx,y,1\n'), { filename: 'x.csv', contentType: 'text/csv' })
        .expect(303);
      const id = String(up.headers.location).split('/').pop();
      const stranger = await makeCoop();
      const { agent: other } = await memberOf(app, stranger.id, 'manager');
      await other.get(`/workspace/${stranger.slug}/goods/import/${id}`).expect(404);
    });
  });
});

describe('applyGoodsImport', () => {
  describe('when the same preview is applied twice at once', () => {
    it('applies it once', async () => {
      const coop = await makeCoop();
      const p = await ProductModel.create({
        coop: coop.id,
        department: 'produce',
        category: 'honey',
        slug: `miele-${suffix()}`,
        name: { it: 'Miele', en: 'Honey' },
        priceCents: 900,
        ivaRate: 10,
        variants: [{ sku: 'default', priceCents: 900 }],
      });
      await StockLevelModel.create({ _id: stockId(p._id, 'default'), product: p._id, sku: 'default', onHand: 10 });
      const acting = { id: coop.id, name: coop.name, status: 'approved' };
      const id = await previewGoodsImport(acting, String(new Types.ObjectId()), Buffer.from(`product,sku,stock\n${p.slug},default,15\n`));
      const results = await Promise.allSettled([applyGoodsImport(acting, id), applyGoodsImport(acting, id), applyGoodsImport(acting, id)]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as { code: string }).code, 'import_already_applied');
      assert.equal((await StockLevelModel.findById(stockId(p._id, 'default')).lean())!.onHand, 15);
    });
  });
});
