import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { DEMO_COOPS } from '../../src/demo/demo-data';
import { isCurrentDrawing, isDrawnKey, makeProductImage, pictureDigest } from '../../src/demo/demo-images';
import { isPictureKind, PICTURE_KINDS, pictureSvg, type DemoPicture, type PictureKind } from '../../src/demo/pictures';
import { LocalDiskStorage } from '../../src/platform/storage';

const rows = DEMO_COOPS.flatMap((c) => c.products);
const pictureOf = (slug: string): DemoPicture => {
  const row = rows.find((r) => r[0] === slug);
  assert.ok(row, `demo product ${slug}`);
  return row[13];
};

describe('demo pictures', () => {
  it('every demo product names a picture kind the library draws, and a variant that kind knows', () => {
    assert.equal(rows.length, 151);
    for (const row of rows) {
      // A row written without its picture has no 14th field: this is where a new product without a kind fails.
      const picture = row[13] as DemoPicture | undefined;
      assert.ok(picture && isPictureKind(picture.kind), `${row[0]} names a known picture kind (got ${JSON.stringify(picture)})`);
      if (picture.variant)
        assert.ok(
          PICTURE_KINDS[picture.kind].variants.includes(picture.variant),
          `${row[0]}: ${picture.kind} has no variant "${picture.variant}"`,
        );
    }
  });

  it('draws the products from the issue as what they are', () => {
    const cases: [string, PictureKind, string?][] = [
      ['calze-lana', 'socks'],
      ['candele-cera-api', 'candle'],
      ['cucchiai-legno', 'spoons'],
      ['castagne-secche', 'chestnuts'],
      ['camicia-lino-bianca', 'shirt'],
      ['portafoglio-camera-aria', 'wallet'],
      ['pomodori-cuore-di-bue', 'tomatoes', 'oxheart'],
      ['miele-di-acacia', 'honey-jar'],
      ['olio-evo-coratina', 'oil-bottle'],
      ['vino-teroldego', 'wine-bottle'],
      ['pecorino-dei-sibillini', 'cheese-wheel'],
      ['mestoli-set', 'spoons', 'ladle'],
      ['tagliere-castagno', 'board'],
      ['grembiule-jeans', 'apron'],
      ['sciarpa-cashmere', 'scarf'],
    ];
    for (const [slug, kind, variant] of cases) {
      const picture = pictureOf(slug);
      assert.equal(picture.kind, kind, slug);
      if (variant) assert.equal(picture.variant, variant, slug);
    }
  });

  it('uses every drawing in the library for at least one demo product', () => {
    const used = new Set(rows.map((r) => r[13].kind));
    assert.deepEqual(
      Object.keys(PICTURE_KINDS).filter((k) => !used.has(k as PictureKind)),
      [],
    );
  });

  it('renders every kind and every variant as a 960×720 image', async function () {
    this.timeout(60_000);
    const pictures: DemoPicture[] = Object.entries(PICTURE_KINDS).flatMap(([kind, def]) =>
      ['', ...def.variants].map((variant) => ({ kind: kind as PictureKind, ...(variant ? { variant } : {}) })),
    );
    for (const picture of pictures) {
      const svg = pictureSvg(picture);
      assert.doesNotMatch(svg, /NaN|undefined|fill=""/, `${JSON.stringify(picture)} has no broken attributes`);
      const meta = await sharp(Buffer.from(svg)).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ['svg', 960, 720], JSON.stringify(picture));
      // Rendered at a quarter of the size (density 18 of 72) to keep this quick, with and without the
      // drawing: at least a twentieth of the picture is the object, not the background.
      const raw = (text: string) => sharp(Buffer.from(text), { density: 18 }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const drawn = await raw(svg);
      const empty = await raw(svg.replace(/<g transform="translate\(200 250\)[\s\S]*<\/g>/, ''));
      assert.deepEqual([drawn.info.width, drawn.info.height], [240, 180]);
      let changed = 0;
      for (let i = 0; i < drawn.data.length; i += 3) {
        const diff = [0, 1, 2].reduce((sum, c) => sum + Math.abs(drawn.data[i + c]! - empty.data[i + c]!), 0);
        if (diff > 30) changed++;
      }
      assert.ok(changed > 240 * 180 * 0.05, `${JSON.stringify(picture)} draws something (${changed} pixels)`);
    }
  });

  it('gives products of one kind pictures that differ', () => {
    const honeys = rows.filter((r) => r[13].kind === 'honey-jar').map((r) => pictureDigest(r[13]));
    assert.ok(honeys.length >= 5);
    const labelled = rows.filter((r) => r[13].kind === 'honey-jar' && r[13].label !== 'Castagno').map((r) => pictureDigest(r[13]));
    assert.equal(new Set(labelled).size, labelled.length);
  });

  it('stores a drawing as WebP in each served width under a key carrying its digest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'filiera-pictures-'));
    try {
      const picture = pictureOf('calze-lana');
      const image = await makeProductImage(new LocalDiskStorage(dir), picture, { it: 'Calze', en: 'Socks' });
      assert.match(image.key, new RegExp(`^products/demo-${pictureDigest(picture)}-[0-9a-f]{16}$`));
      assert.deepEqual(image.widths, [320, 640, 960]);
      assert.deepEqual(image.alt, { it: 'Illustrazione: Calze', en: 'Illustration: Socks' });
      for (const w of image.widths) {
        const meta = await sharp(readFileSync(join(dir, `${image.key}-${w}.webp`))).metadata();
        assert.deepEqual([meta.format, meta.width, meta.height], ['webp', w, w * 0.75]);
      }
      assert.equal(isDrawnKey(image.key), true);
      assert.equal(isCurrentDrawing(image.key, picture), true);
      assert.equal(isCurrentDrawing(image.key, { ...picture, colour: '#123456' }), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('tells drawn keys (current and legacy) from co-op uploads', () => {
    assert.equal(isDrawnKey('products/0123456789abcdef01234567'), true, 'legacy drawing: 12 random bytes');
    assert.equal(isDrawnKey('products/demo-0123456789ab-0123456789abcdef'), true);
    assert.equal(isDrawnKey('products/0123456789abcdef0123456789abcdef'), false, 'upload: 16 random bytes');
    assert.equal(isDrawnKey('coops/0123456789abcdef01234567'), false);
  });
});
