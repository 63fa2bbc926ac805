import { createHash, randomBytes } from 'node:crypto';
import sharp from 'sharp';
import type { Category } from '../catalog';
import { IMAGE_WIDTHS, LOGO_WIDTHS } from '../catalog';
import type { FileStorage } from '../platform/storage';

/**
 * Demo pictures drawn at seed time, without the network: a simple SVG
 * illustration per category (a bottle for oil and wine, a jar for honey…)
 * in colours varied by product, rendered with sharp to WebP in each served
 * width. sharp writes no metadata unless asked, so nothing leaks from here.
 */

const PALETTES: Record<Category, [string, string, string]> = {
  vegetables: ['#e4efd9', '#3f7a34', '#a7c957'],
  fruit: ['#fdebd3', '#d1495b', '#66a182'],
  'olive-oil': ['#f1f0d2', '#6b7d1e', '#c9b52c'],
  wine: ['#f3e1e4', '#6d1a36', '#b56576'],
  honey: ['#fff2cc', '#d99a00', '#8c5e00'],
  cheese: ['#fbf6e3', '#e0b84f', '#8c6d1f'],
  preserves: ['#fde2d6', '#c0392b', '#7d8f3a'],
  'pasta-grains': ['#f7ecd2', '#c8963e', '#8a6a2b'],
  clothing: ['#e3ecf5', '#2f5d8a', '#9cb8d6'],
  'bags-accessories': ['#efe3d8', '#8b5a3c', '#d4a373'],
  'home-textiles': ['#f0e6f0', '#7b4b7d', '#d9a5b3'],
  ceramics: ['#e0eef2', '#1d6a96', '#f2c14e'],
  wood: ['#efe6da', '#7f5539', '#b08968'],
};

/** The drawing for a category on a 400×300 canvas; `fg` and `accent` are the product's colours. */
function drawing(category: Category, fg: string, accent: string): string {
  switch (category) {
    case 'vegetables':
      return `<ellipse cx="200" cy="190" rx="80" ry="60" fill="${fg}"/><path d="M200 130 C170 70 140 70 130 60 C170 60 200 90 200 130 Z" fill="${accent}"/><path d="M200 130 C230 70 260 70 270 60 C230 60 200 90 200 130 Z" fill="${accent}"/>`;
    case 'fruit':
      return `<circle cx="170" cy="175" r="62" fill="${fg}"/><circle cx="245" cy="185" r="50" fill="${fg}" opacity=".85"/><path d="M175 112 q10 -30 40 -35 q-10 30 -40 35z" fill="${accent}"/>`;
    case 'olive-oil':
    case 'wine':
      return `<rect x="175" y="60" width="50" height="40" rx="6" fill="${fg}"/><path d="M160 120 q40 -30 80 0 v130 q0 15 -15 15 h-50 q-15 0 -15 -15z" fill="${fg}"/><rect x="170" y="160" width="60" height="50" rx="4" fill="${accent}"/>`;
    case 'honey':
    case 'preserves':
      return `<rect x="140" y="90" width="120" height="25" rx="6" fill="${accent}"/><rect x="130" y="115" width="140" height="140" rx="20" fill="${fg}"/><rect x="155" y="160" width="90" height="50" rx="4" fill="#fff" opacity=".8"/>`;
    case 'cheese':
      return `<path d="M100 220 L300 220 L300 150 L120 120 Z" fill="${fg}"/><circle cx="170" cy="180" r="12" fill="${accent}"/><circle cx="240" cy="195" r="9" fill="${accent}"/><circle cx="265" cy="165" r="7" fill="${accent}"/>`;
    case 'pasta-grains':
      return `<g stroke="${fg}" stroke-width="8" stroke-linecap="round"><path d="M200 260 V90"/><path d="M200 120 l-30 -25 M200 150 l-30 -25 M200 180 l-30 -25 M200 120 l30 -25 M200 150 l30 -25 M200 180 l30 -25"/></g><circle cx="200" cy="80" r="10" fill="${accent}"/>`;
    case 'clothing':
      return `<path d="M150 70 L110 95 L90 150 L125 160 L135 130 V250 H265 V130 L275 160 L310 150 L290 95 L250 70 Q200 100 150 70 Z" fill="${fg}"/><path d="M200 95 V250" stroke="${accent}" stroke-width="4"/>`;
    case 'bags-accessories':
      return `<path d="M160 110 q40 -70 80 0" fill="none" stroke="${accent}" stroke-width="10"/><rect x="120" y="110" width="160" height="140" rx="16" fill="${fg}"/><rect x="185" y="150" width="30" height="18" rx="4" fill="${accent}"/>`;
    case 'home-textiles':
      return `<rect x="100" y="70" width="200" height="170" rx="8" fill="${fg}"/><g stroke="${accent}" stroke-width="10"><path d="M100 110 H300 M100 150 H300 M100 190 H300"/></g>`;
    case 'ceramics':
      return `<circle cx="200" cy="160" r="95" fill="${fg}"/><circle cx="200" cy="160" r="70" fill="#fff" opacity=".85"/><circle cx="200" cy="160" r="40" fill="${accent}"/>`;
    case 'wood':
      return `<rect x="110" y="110" width="180" height="110" rx="30" fill="${fg}"/><circle cx="270" cy="165" r="10" fill="${accent}"/><g stroke="${accent}" stroke-width="3" fill="none"><path d="M130 140 q60 10 110 0 M130 185 q60 -10 110 0"/></g>`;
  }
}

/** A stable colour shift for a name, so two honeys do not look identical. */
function hueShift(seed: string): number {
  return (createHash('sha1').update(seed).digest()[0]! % 4) * 10 - 20;
}

function productSvg(category: Category, seed: string): string {
  const [bg, fg, accent] = PALETTES[category];
  const shift = hueShift(seed);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="960" height="720" viewBox="0 0 400 300">
<rect width="400" height="300" fill="${bg}"/>
<circle cx="${60 + (shift + 20) * 4}" cy="60" r="90" fill="${accent}" opacity=".15"/>
<g style="filter:hue-rotate(${shift}deg)">${drawing(category, fg, accent)}</g>
<rect y="270" width="400" height="30" fill="${fg}" opacity=".12"/>
</svg>`;
}

const newKey = (folder: string) => `${folder}/${randomBytes(12).toString('hex')}`;

/**
 * Drawings already encoded in this process, by SVG text: products of one
 * category share a few colour variants, so seeding encodes each variant
 * once and only writes files per product (each under its own random key,
 * so a co-op replacing one product's picture never touches another's).
 */
const encoded = new Map<string, Promise<Buffer[]>>();

function encode(svg: string, widths: readonly number[], aspect: number): Promise<Buffer[]> {
  let done = encoded.get(svg);
  if (!done) {
    done = (async () => {
      const max = Math.max(...widths);
      const base = await sharp(Buffer.from(svg))
        .resize(max, Math.round(max * aspect))
        .png({ compressionLevel: 0 })
        .toBuffer();
      return Promise.all(
        widths.map((w) =>
          sharp(base)
            .resize(w, Math.round(w * aspect))
            .webp({ quality: 72, effort: 2 })
            .toBuffer(),
        ),
      );
    })();
    encoded.set(svg, done);
  }
  return done;
}

/** Writes a drawing in each width as WebP under a fresh random key; returns the key. */
async function renderWidths(storage: FileStorage, folder: string, svg: string, widths: readonly number[], aspect: number): Promise<string> {
  const key = newKey(folder);
  const files = await encode(svg, widths, aspect);
  await Promise.all(widths.map((w, i) => storage.put(`${key}-${w}.webp`, files[i]!, 'image/webp')));
  return key;
}

/** One product picture in IMAGE_WIDTHS; returns the `images` entry for the product. */
export async function makeProductImage(storage: FileStorage, category: Category, name: { it: string; en: string }) {
  const key = await renderWidths(storage, 'products', productSvg(category, name.it), IMAGE_WIDTHS, 0.75);
  return { key, widths: [...IMAGE_WIDTHS], alt: { it: `Illustrazione: ${name.it}`, en: `Illustration: ${name.en}` } };
}

/** A co-op's logo (LOGO_WIDTHS, square) and cover (IMAGE_WIDTHS, 16:9), drawn from its kind and name. */
export async function makeCoopImages(
  storage: FileStorage,
  kind: 'agricultural' | 'craft',
  name: string,
): Promise<{ logo: string; cover: string }> {
  const shift = hueShift(name);
  const [bg, fg, accent] = kind === 'agricultural' ? PALETTES.vegetables : PALETTES['home-textiles'];
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
    renderWidths(storage, 'coops', logoSvg, LOGO_WIDTHS, 1),
    renderWidths(storage, 'coops', coverSvg, IMAGE_WIDTHS, 0.5625),
  ]);
  return { logo, cover };
}
