import * as craft from './craft';
import * as fresh from './fresh';
import { DEFS, darken, seeded, type Draw, type Paint } from './kit';
import * as pantry from './pantry';

/**
 * The demo picture library: one drawing per kind of object, each with the
 * colours it uses unless a product names its own. A demo product names its
 * kind and colours in its record (demo-data*.ts), so what a picture shows is
 * decided by data, never guessed from words.
 */

interface Kind {
  draw: Draw;
  /** Default colour, accent, detail. */
  colours: [string, string, string];
  /** The soft background the object sits on. */
  bg: string;
  /** The shape or pattern variants the drawing knows, besides its usual one (''). */
  variants: readonly string[];
}

const FOOD = '#f6eddc';
const GREEN = '#e7efdc';
const CLOTH = '#e6edf3';
const HOME = '#f1e8ef';
const CLAY = '#e3eef1';
const WOOD = '#efe7db';

const k = (draw: Draw, colours: [string, string, string], bg: string, variants: readonly string[] = []): Kind => ({
  draw,
  colours,
  bg,
  variants,
});

/** The cloth patterns (craft.ts) a garment or a piece of linen may carry. */
const PATTERNS = ['stripes', 'bands', 'check', 'patchwork', 'dots', 'printed', 'weave', 'geometric', 'pibiones', 'cable'] as const;

export const PICTURE_KINDS = {
  // pantry
  'oil-bottle': k(pantry.oilBottle, ['#2f4a1e', '#e9dfb8', '#c9a13a'], '#eef0d8'),
  'oil-can': k(pantry.oilCan, ['#c9b52c', '#3f5a1e', '#b23a2a'], '#eef0d8'),
  'wine-bottle': k(pantry.wineBottle, ['#22331f', '#7a1f35', '#7a1f35'], '#f3e4e6', ['slim']),
  bottle: k(pantry.bottle, ['#c0392b', '#c9a13a', '#8c5a3c'], FOOD, ['slim', 'apples', 'tomatoes']),
  dropper: k(pantry.dropper, ['#8a4b12', '#2a2a2a', '#8c5a3c'], '#fbefd2'),
  jar: k(pantry.jar, ['#c0392b', '#c9a13a', '#a52a1f'], FOOD, ['smooth', 'pieces', 'granules', 'olives', 'slices']),
  'honey-jar': k(pantry.honeyJar, ['#e0a21a', '#c94c4c', '#8c5a3c'], '#fff3d1'),
  pollen: k(pantry.pollen, ['#e9b824,#d98c1f,#c9a13a', '#e8dcc4', '#8c5a3c'], '#fff3d1'),
  tub: k(pantry.tub, ['#f8f6f0', '#3f7fb0', '#dfe3e6'], '#e9f1f6'),
  'cheese-wheel': k(pantry.cheeseWheel, ['#f3e2a8', '#c99a4b', '#8c5a3c'], '#f8f0d8', ['holes']),
  'cheese-wedge': k(pantry.cheeseWedge, ['#f1d98c', '#b48a3c', '#8c5a3c'], '#f8f0d8'),
  caciocavallo: k(pantry.caciocavallo, ['#e9c46a', '#8c6d4f', '#8c5a3c'], '#f8f0d8'),
  butter: k(pantry.butter, ['#f7e08a', '#eef2f4', '#8c5a3c'], '#eaf1f4'),
  ricotta: k(pantry.ricotta, ['#f7f3ea', '#c9a26b', '#8c5a3c'], '#f8f0d8'),
  'cured-meat': k(pantry.curedMeat, ['#b5474b', '#6b3a2a', '#8c5a3c'], '#f6e6dc'),
  // fresh
  tomatoes: k(fresh.tomatoes, ['#d63a2a', '#f4f1ea', '#8c5a3c'], GREEN, ['oxheart']),
  artichoke: k(fresh.artichoke, ['#6f8f4a', '#5d7f3a', '#8c5a3c'], GREEN),
  greens: k(fresh.greens, ['#3f7a34', '#f2c14e', '#c9a66b'], GREEN, ['rapa', 'kale', 'herbs', 'salad']),
  potatoes: k(fresh.potatoes, ['#d9b77a', '#f4f1ea', '#8c5a3c'], '#f1eadc'),
  squash: k(fresh.squash, ['#e3a857', '#f0a040', '#8c5a3c'], '#f6ecd9'),
  radicchio: k(fresh.radicchio, ['#8c1c3a', '#f4f1ea', '#8c5a3c'], GREEN),
  courgettes: k(fresh.courgettes, ['#3f7a34', '#f2b705', '#8c5a3c'], GREEN),
  onions: k(fresh.onions, ['#8e2c5a', '#c9a66b', '#8c5a3c'], '#f4e8ee'),
  peppers: k(fresh.peppers, ['#b8281f', '#f4f1ea', '#8c5a3c'], '#f6e6dc'),
  mushrooms: k(fresh.mushrooms, ['#7a4a26', '#efe2c6', '#8c5a3c'], '#efe7db'),
  'veg-crate': k(fresh.vegCrate, ['#c9a066', '#3f7a34', '#8c5a3c'], GREEN),
  grapes: k(fresh.grapes, ['#c6d66a', '#f4f1ea', '#8c5a3c'], '#f1f3dc'),
  nuts: k(fresh.nuts, ['#b07a45', '#d9bd8c', '#8c5a3c'], '#f6ecd9', ['almond', 'hazelnut']),
  apples: k(fresh.apples, ['#d64541', '#f2c14e', '#8c5a3c'], '#fbeee6', ['pear']),
  citrus: k(fresh.citrus, ['#f08a1c', '#f4f1ea', '#b0202e'], '#fdf0d8', ['orange', 'lemon', 'mandarin']),
  strawberries: k(fresh.strawberries, ['#d6283a', '#f4f1ea', '#8c5a3c'], '#fbe8e8'),
  chestnuts: k(fresh.chestnuts, ['#6e3b1f', '#d8b98c', '#8c5a3c'], '#f3e7d6'),
  pasta: k(fresh.pasta, ['#ecd08a', '#2f5d8a', '#8c5a3c'], FOOD, [
    'taralli',
    'orecchiette',
    'spaghetti',
    'busiate',
    'nest',
    'fusilli',
    'paccheri',
    'lasagne',
  ]),
  legumes: k(fresh.legumes, ['#b5894f', '#d9c29a', '#6b3a2a'], FOOD, ['lentils', 'chickpeas', 'beans', 'grass-peas', 'spelt']),
  flour: k(fresh.flour, ['#f7f2e6', '#d9c29a', '#8c5a3c'], FOOD),
  biscuits: k(fresh.biscuits, ['#e0b86b', '#6b5a2b', '#8c5a3c'], FOOD),
  // clothing and accessories
  shirt: k(craft.shirt, ['#f4f1ea', '#d9d2c3', '#9cb8d6'], CLOTH, PATTERNS),
  waistcoat: k(craft.waistcoat, ['#8a8f94', '#3a3a3a', '#8c5a3c'], CLOTH, PATTERNS),
  jumper: k(craft.jumper, ['#2c3e63', '#c9a13a', '#8c5a3c'], CLOTH, ['cardigan']),
  beanie: k(craft.beanie, ['#b23a48', '#f4f1ea', '#8c5a3c'], CLOTH),
  scarf: k(craft.scarf, ['#c9a27e', '#8b5a3c', '#7b2f3a'], CLOTH, ['shawl', ...PATTERNS]),
  foulard: k(craft.foulard, ['#2f5d8a', '#f2c14e', '#e07a5f'], CLOTH, PATTERNS),
  gloves: k(craft.gloves, ['#5b6f52', '#3f4f3a', '#8c5a3c'], CLOTH),
  socks: k(craft.socks, ['#8c6d4f', '#b23a48', '#f4f1ea'], CLOTH, ['stripes']),
  poncho: k(craft.poncho, ['#b5654a', '#f4f1ea', '#f4f1ea'], CLOTH, PATTERNS),
  folded: k(craft.folded, ['#d9c7a8', '#b23a48', '#8c5a3c'], HOME, PATTERNS),
  slippers: k(craft.slippers, ['#7d8f9a', '#c0392b', '#8c5a3c'], CLOTH),
  tote: k(craft.tote, ['#e8dcc4', '#8b5a3c', '#2f5d8a'], '#efe3d8', ['sail', 'woven', 'jute', 'felt']),
  clutch: k(craft.clutch, ['#7b4b7d', '#c9a13a', '#f2c14e'], '#efe3d8', PATTERNS),
  pouch: k(craft.pouch, ['#2f5d8a', '#f2c14e', '#8c5a3c'], '#efe3d8', ['round', 'pencils']),
  saddlebag: k(craft.saddlebag, ['#7a1f2b', '#f2c14e', '#f4f1ea'], '#efe3d8'),
  backpack: k(craft.backpack, ['#e0e4e8', '#e07a5f', '#8c5a3c'], '#efe3d8', PATTERNS),
  wallet: k(craft.wallet, ['#2e2e30', '#e07a5f', '#8c5a3c'], '#efe3d8'),
  belt: k(craft.belt, ['#2e2e30', '#c9c9c9', '#8c5a3c'], '#efe3d8'),
  'belt-bag': k(craft.beltBag, ['#e0e4e8', '#2f5d8a', '#8c5a3c'], '#efe3d8', PATTERNS),
  'yoga-bag': k(craft.yogaBag, ['#7b4b7d', '#2e2e30', '#6aa7a0'], HOME),
  // home
  candle: k(craft.candle, ['#e9b949', '#f4f1ea', '#8c5a3c'], '#f6ecd2'),
  apron: k(craft.apron, ['#e8dcc4', '#8b5a3c', '#b23a48'], HOME, PATTERNS),
  'table-linen': k(craft.tableLinen, ['#f4f1ea', '#7b4b7d', '#c0392b'], HOME, ['runner', 'placemats', 'tablecloth', 'doily']),
  cushion: k(craft.cushion, ['#d9a5b3', '#7b4b7d', '#f2c14e'], HOME, PATTERNS),
  rug: k(craft.rug, ['#f1e6d0', '#7a1f2b', '#2f5d8a'], HOME, PATTERNS),
  yarn: k(craft.yarn, ['#f1e6d0', '#9c7a5b', '#c9c1b3'], HOME),
  // ceramics
  plate: k(craft.plate, ['#f7f3e8', '#1d6a96', '#f2c14e'], CLAY, ['stack']),
  mug: k(craft.mug, ['#f7f3e8', '#1d6a96', '#f2c14e'], CLAY),
  bowl: k(craft.bowl, ['#f7f3e8', '#1d6a96', '#f2c14e'], CLAY, ['salad']),
  vase: k(craft.vase, ['#f7f3e8', '#1d6a96', '#f2c14e'], CLAY),
  'egg-cup': k(craft.eggCup, ['#f7f3e8', '#1d6a96', '#f2c14e'], CLAY),
  cruet: k(craft.cruet, ['#f7f3e8', '#1d6a96', '#6f8f3a'], CLAY),
  tile: k(craft.tile, ['#f7f3e8', '#1d6a96', '#f2c14e'], '#e9e2d6'),
  // wood
  board: k(craft.board, ['#c9955c', '#f4f1ea', '#8c5a3c'], WOOD, ['olive']),
  spoons: k(craft.spoons, ['#d4a373', '#f4f1ea', '#8c5a3c'], WOOD, ['ladle']),
  basket: k(craft.basket, ['#b08150', '#6b3a2a', '#8c5a3c'], WOOD, ['light']),
  'wood-bowl': k((p) => craft.bowl({ ...p, variant: 'wood' }), ['#d8b07a', '#f4f1ea', '#8c5a3c'], WOOD),
  'key-rack': k(craft.keyRack, ['#8c5a3c', '#3a3a3a', '#8c5a3c'], '#ece4d8'),
  stool: k(craft.stool, ['#a0703f', '#f4f1ea', '#8c5a3c'], WOOD),
  puzzle: k(craft.puzzle, ['#e3c08d', '#f4f1ea', '#e07a5f,#2f8fb0,#f2c14e,#6aa84f'], WOOD),
  mortar: k(craft.mortar, ['#a87b4f', '#f4f1ea', '#8c5a3c'], WOOD),
  frame: k(craft.frame, ['#6b4226', '#dbe9f2', '#8c5a3c'], WOOD),
} satisfies Record<string, Kind>;

export type PictureKind = keyof typeof PICTURE_KINDS;

/**
 * What a demo product's picture shows: its kind, and optionally its own
 * colours, a shape variant and a label, so products of one kind differ.
 */
export interface DemoPicture {
  kind: PictureKind;
  colour?: string;
  accent?: string;
  detail?: string;
  variant?: string;
  label?: string;
  bg?: string;
}

export const isPictureKind = (s: string): s is PictureKind => Object.hasOwn(PICTURE_KINDS, s);

/** The full SVG (960×720, drawn on a 400×300 canvas) for a picture. */
export function pictureSvg(pic: DemoPicture): string {
  const kind = PICTURE_KINDS[pic.kind];
  const [colour, accent, detail] = kind.colours;
  const paint: Paint = {
    colour: pic.colour ?? colour,
    accent: pic.accent ?? accent,
    detail: pic.detail ?? detail,
    variant: pic.variant ?? '',
    label: pic.label ?? '',
    rand: seeded(JSON.stringify(pic)),
  };
  const bg = pic.bg ?? kind.bg;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="960" height="720" viewBox="0 0 400 300">${DEFS}
<rect width="400" height="300" fill="${bg}"/><rect width="400" height="300" fill="url(#glow)"/>
<rect y="240" width="400" height="60" fill="${darken(bg, 0.07)}"/><rect y="240" width="400" height="3" fill="${darken(bg, 0.1)}"/>
<g transform="translate(200 250) scale(1.12) translate(-200 -250)">${kind.draw(paint)}</g>
</svg>`;
}
