import { createHash, randomBytes } from 'node:crypto';
import { IMAGE_WIDTHS, LOGO_WIDTHS, imageLibrary } from '../catalog';
import type { FileStorage } from '../platform/storage';
import { pictureSvg, type DemoPicture } from './pictures';

/**
 * Demo pictures drawn at seed time, without the network: each demo product
 * names the object it shows and its colours (pictures/index.ts has the
 * drawings), rendered with sharp to WebP in each served width. sharp
 * writes no metadata unless asked, so nothing leaks from here.
 */

/** Colours of the co-op logos and covers: [background, foreground, accent]. */
const PALETTES = {
  agricultural: ['#e4efd9', '#3f7a34', '#a7c957'],
  craft: ['#f0e6f0', '#7b4b7d', '#d9a5b3'],
} as const;

/** A stable colour shift for a name, so two co-ops of one kind do not look identical. */
function hueShift(seed: string): number {
  return (createHash('sha1').update(seed).digest()[0]! % 4) * 10 - 20;
}

/**
 * Drawn product pictures live under `products/demo-<digest>-<random>`: the
 * digest is of the drawing's SVG, so when a drawing changes (a new kind, new
 * colours, a better library) the next seed sees the stored key is stale and
 * draws it again. Pictures drawn before digests existed have a 24-hex key
 * (12 random bytes), which uploads never have (16 bytes, images.ts).
 */
const DRAWN_KEY = /^products\/(demo-[0-9a-f]{12}-[0-9a-f]{16}|[0-9a-f]{24})$/;

/** The digest of a picture's drawing (first 12 hex digits of its SHA-1). */
export const pictureDigest = (picture: DemoPicture): string => createHash('sha1').update(pictureSvg(picture)).digest('hex').slice(0, 12);

/** Whether a stored image key is a drawn demo picture (any version), not a co-op's upload. */
export const isDrawnKey = (key: string): boolean => DRAWN_KEY.test(key);

/** Whether a stored key holds the current drawing of `picture`. */
export const isCurrentDrawing = (key: string, picture: DemoPicture): boolean => key.startsWith(`products/demo-${pictureDigest(picture)}-`);

const newKey = (folder: string) => `${folder}/${randomBytes(12).toString('hex')}`;

/**
 * Drawings already encoded in this process, by SVG text: two products with
 * the same picture are encoded once, and files are written per product
 * (each under its own key, so a co-op replacing one product's picture never
 * touches another's).
 */
const encoded = new Map<string, Promise<Buffer[]>>();

/**
 * libwebp's effort (0…6). Every demo product now has a drawing of its own
 * (about 150, where the category icons were about 50), so the cheaper
 * effort keeps the first seed near its old time for ~20% larger files.
 */
const WEBP_EFFORT = 1;

function encode(svg: string, widths: readonly number[], aspect: number, opaque: boolean): Promise<Buffer[]> {
  let done = encoded.get(svg);
  if (!done) {
    done = (async () => {
      const sharp = await imageLibrary();
      const max = Math.max(...widths);
      // Rasterised once and kept as raw pixels, then scaled down per width. Only the round
      // logos need their alpha; without it the other WebP files encode about a third faster.
      const raster = sharp(Buffer.from(svg)).resize(max, Math.round(max * aspect));
      const { data, info } = await (opaque ? raster.removeAlpha() : raster).raw().toBuffer({ resolveWithObject: true });
      return Promise.all(
        widths.map((w) =>
          sharp(data, { raw: info })
            .resize(w, Math.round(w * aspect))
            .webp({ quality: 72, effort: WEBP_EFFORT })
            .toBuffer(),
        ),
      );
    })();
    encoded.set(svg, done);
  }
  return done;
}

/** Writes a drawing in each width as WebP under a fresh random key; returns the key. */
async function renderWidths(
  storage: FileStorage,
  key: string,
  svg: string,
  widths: readonly number[],
  aspect: number,
  opaque = true,
): Promise<string> {
  const files = await encode(svg, widths, aspect, opaque);
  await Promise.all(widths.map((w, i) => storage.put(`${key}-${w}.webp`, files[i]!, 'image/webp')));
  return key;
}

/** One product's drawn picture in IMAGE_WIDTHS; returns the `images` entry for the product. */
export async function makeProductImage(storage: FileStorage, picture: DemoPicture, name: { it: string; en: string }) {
  const svg = pictureSvg(picture);
  const digest = createHash('sha1').update(svg).digest('hex').slice(0, 12);
  const key = await renderWidths(storage, `products/demo-${digest}-${randomBytes(8).toString('hex')}`, svg, IMAGE_WIDTHS, 0.75);
  return { key, widths: [...IMAGE_WIDTHS], alt: { it: `Illustrazione: ${name.it}`, en: `Illustration: ${name.en}` } };
}

/** A co-op's logo (LOGO_WIDTHS, square) and cover (IMAGE_WIDTHS, 16:9), drawn from its kind and name. */
export async function makeCoopImages(
  storage: FileStorage,
  kind: 'agricultural' | 'craft',
  name: string,
): Promise<{ logo: string; cover: string }> {
  const shift = hueShift(name);
  const [bg, fg, accent] = PALETTES[kind];
  const mark =
    kind === 'agricultural'
      ? `<path d="M50 80 C20 50 30 25 50 15 C70 25 80 50 50 80 Z" fill="${fg}"/><path d="M50 80 V30" stroke="${bg}" stroke-width="3"/>`
      : `<rect x="30" y="22" width="40" height="8" rx="3" fill="${fg}"/><rect x="30" y="70" width="40" height="8" rx="3" fill="${fg}"/><rect x="36" y="30" width="28" height="40" fill="${accent}"/><path d="M36 38 H64 M36 46 H64 M36 54 H64 M36 62 H64" stroke="${fg}" stroke-width="2"/>`;
  const logoSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="192" height="192" viewBox="0 0 100 100"><circle cx="50" cy="50" r="48" fill="${bg}"/><g style="filter:hue-rotate(${shift}deg)">${mark}</g></svg>`;
  const landscape =
    kind === 'agricultural'
      ? `<path d="M0 200 Q120 120 240 180 T480 160 V270 H0Z" fill="${accent}"/><path d="M0 230 Q160 170 320 220 T480 210 V270 H0Z" fill="${fg}"/><circle cx="380" cy="70" r="30" fill="#f2c14e"/>`
      : `<g opacity=".9">${Array.from({ length: 12 }, (_, i) => `<rect x="${i * 40}" y="0" width="20" height="270" fill="${i % 2 ? fg : accent}" opacity="${0.25 + (i % 3) * 0.2}"/>`).join('')}</g>`;
  const coverSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="960" height="540" viewBox="0 0 480 270"><rect width="480" height="270" fill="${bg}"/><g style="filter:hue-rotate(${shift}deg)">${landscape}</g></svg>`;
  const [logo, cover] = await Promise.all([
    renderWidths(storage, newKey('coops'), logoSvg, LOGO_WIDTHS, 1, false),
    renderWidths(storage, newKey('coops'), coverSvg, IMAGE_WIDTHS, 0.5625),
  ]);
  return { logo, cover };
}
