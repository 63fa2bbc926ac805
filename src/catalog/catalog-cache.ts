import { randomUUID } from 'node:crypto';
import { CoopModel } from '../coops/coop.model';
import { translator, type Locale } from '../platform/i18n';
import type { Logger } from '../platform/logger';
import { trusted } from '../platform/db';
import { CATEGORY_SLUGS, CERTIFICATIONS, DEPARTMENT_SLUGS, type Category, type Certification, type Department, type Unit } from './categories';
import { CatalogChangeModel, CatalogVersionModel } from './catalog-version.model';
import type { Job } from '../platform/jobs';
import { Types } from 'mongoose';
import { ProductModel, type Product } from './product.model';
import { StockLevelModel, stockId } from './stock.model';
import { normalizeText } from './search-terms';

/**
 * The in-process read model of the published catalogue.
 *
 * Why: on FerretDB's SQLite backend only `_id` lookups use an index, so a
 * listing, a search or a product page read from the database would scan
 * the whole collection on every request. Instead each app process keeps the
 * published, non-archived products of approved co-ops in memory with the
 * indexes the pages need (slug, co-op, search words, sort orders), and the
 * pages make no database query at all. Edits call `catalogChanged()` or
 * `stockChanged()`, which reload this process at once and bump a version
 * document that every other process polls by `_id` every 2 s.
 */

type Text = { it: string; en: string };

export interface CatalogImage {
  key: string;
  widths: number[];
  alt: Text;
}

export interface CatalogVariant {
  sku: string;
  label: Text;
  size: string;
  colour: string;
  priceCents: number;
}

export interface CatalogCoop {
  id: string;
  slug: string;
  name: string;
  kind: 'agricultural' | 'craft';
  socialType: 'A' | 'B' | 'none';
  region: string;
  town: string;
  story: Text;
  contact: { email: string; phone: string; website: string };
  logo: string;
  cover: string;
  impact: { members?: number; integrationWorkers?: number; trainingHours?: number; supports: Text };
  shipping: { flatCents: number; freeOverCents: number; pickup: boolean };
  stripeAccountId?: string;
  approvedAt?: Date;
}

export interface CatalogProduct {
  /** Position in the snapshot's `products` (newest first); the row in its columns. */
  idx: number;
  id: string;
  slug: string;
  coopId: string;
  coop: CatalogCoop;
  department: Department;
  category: Category;
  name: Text;
  description: Text;
  priceCents: number;
  ivaRate: number;
  unit: Unit;
  variants: CatalogVariant[];
  images: CatalogImage[];
  tags: string[];
  certifications: Certification[];
  traceability: { lot: string; date?: Date; place: string; materials: Text };
  care: Text;
  seasonMonths: number[];
  createdAt: Date;
  updatedAt: Date;
}

/** One consistent picture of the catalogue; replaced whole on reload, never changed in place. */
export interface CatalogSnapshot {
  loadedAt: Date;
  /** Newest first. */
  products: CatalogProduct[];
  byId: Map<string, CatalogProduct>;
  bySlug: Map<string, CatalogProduct>;
  byCoop: Map<string, CatalogProduct[]>;
  byCategory: Map<Category, CatalogProduct[]>;
  /** Approved co-ops by name. */
  coops: CatalogCoop[];
  coopsById: Map<string, CatalogCoop>;
  coopsBySlug: Map<string, CatalogCoop>;
  regions: string[];
  /**
   * The filterable fields as typed columns indexed by `idx`, so a listing is
   * one tight loop over numbers (a 10,000-product scan takes well under a
   * millisecond) instead of property lookups on objects.
   */
  cols: {
    department: Uint8Array;
    category: Uint8Array;
    coop: Int32Array;
    region: Int32Array;
    price: Int32Array;
    /** Bit i set: has CERTIFICATIONS[i]. */
    certs: Int32Array;
    /** Bit m set: in season in month m (1–12). */
    season: Int32Array;
  };
  /** Product rows in each sort order, computed once per load. */
  orders: { newest: Int32Array; priceAsc: Int32Array; priceDesc: Int32Array; name: Record<Locale, Int32Array> };
  /** Every normalised word → the rows that contain it; `vocabulary` is the sorted words, for prefix lookups. */
  words: Map<string, Int32Array>;
  vocabulary: string[];
}

let snapshot: CatalogSnapshot | null = null;
/** Units on hand by stock id ("<productId>:<sku>"). Kept apart so stock changes reload only this. */
let stock = new Map<string, number>();
/** Units on hand per product row of `snapshot`, rebuilt lazily after either changes. */
let totals: { snap: CatalogSnapshot; onHand: Int32Array } | null = null;
/** Moves on every change of products or stock; caches built on the catalogue compare it. */
let generation = 0;

function setSnapshot(next: CatalogSnapshot): void {
  snapshot = next;
  totals = null;
  generation++;
}

function setStock(next: Map<string, number>): void {
  stock = next;
  totals = null;
  generation++;
}

/** A number that changes whenever what the catalogue shows may have changed. */
export const catalogGeneration = (): number => generation;

/** Units on hand per product row of `snap` (all variants together). */
export function onHandTotals(snap: CatalogSnapshot): Int32Array {
  if (totals?.snap === snap) return totals.onHand;
  const onHand = new Int32Array(snap.products.length);
  for (const p of snap.products) {
    let n = 0;
    for (const v of p.variants) n += stock.get(stockId(p.id, v.sku)) ?? 0;
    onHand[p.idx] = n;
  }
  totals = { snap, onHand };
  return onHand;
}

/**
 * Version tokens this process wrote or loaded, a few per document, newest
 * last. A poll that reads one of them has nothing new to load: tokens are
 * never reused, so an older one means the read crossed our own bump (read
 * before the bump's write landed, compared after it), not another
 * process's change. Comparing with the latest token alone reloaded all
 * stock several times a minute under checkout load.
 */
const seen: Record<'catalog' | 'stock', string[]> = { catalog: [], stock: [] };
function remember(id: 'catalog' | 'stock', token: string | undefined): void {
  if (token === undefined || seen[id].includes(token)) return;
  seen[id].push(token);
  if (seen[id].length > 8) seen[id].shift();
}
/** No version document yet means nobody has changed anything since the start. */
const isNew = (id: 'catalog' | 'stock', token: string | undefined): boolean => token !== undefined && !seen[id].includes(token);
/** Reloads run one at a time, so a partial reload never lands under an older full one. */
let chain: Promise<unknown> = Promise.resolve();
/** A full load that is queued and not started yet: later callers share it. */
let pendingFull: Promise<CatalogSnapshot> | null = null;
/** Change records already applied here, with their time (forgotten after the window). */
const applied = new Map<string, number>();
/** How far back pollers look for change records; longer than any poll gap or clock skew. */
const CHANGE_WINDOW_MS = 60_000;
/** Above this many products a change reloads everything: one scan beats many lookups. */
const MAX_PARTIAL = 50;

function serial<T>(fn: () => Promise<T>): Promise<T> {
  const run = chain.then(fn, fn);
  chain = run.catch(() => undefined);
  return run;
}

const PRODUCT_FIELDS = {
  coop: 1, department: 1, category: 1, slug: 1, name: 1, description: 1, priceCents: 1, ivaRate: 1, unit: 1, variants: 1,
  images: 1, tags: 1, certifications: 1, traceability: 1, care: 1, seasonMonths: 1, createdAt: 1, updatedAt: 1,
} as const;

const text = (t: Partial<Text> | undefined | null): Text => ({ it: t?.it ?? '', en: t?.en ?? '' });

async function readVersion(id: 'catalog' | 'stock'): Promise<string | undefined> {
  const doc = await CatalogVersionModel.findById(id, { token: 1 }).lean();
  return doc?.token;
}

/** How many times all stock was read; values written before the latest read may be older than it. */
let stockLoads = 0;
export const stockLoadCount = (): number => stockLoads;

async function loadStock(): Promise<Map<string, number>> {
  stockLoads++;
  const rows = await StockLevelModel.find({}, { onHand: 1 }).lean();
  return new Map(rows.map((r) => [r._id, r.onHand]));
}

const CATEGORY_WORDS: Record<string, string> = (() => {
  const it = translator('it');
  const en = translator('en');
  return Object.fromEntries(CATEGORY_SLUGS.map((c) => [c, `${it(`catalog.categories.${c}`)} ${en(`catalog.categories.${c}`)}`]));
})();

/** Builds the snapshot and its indexes from plain rows (no database access). */
export function buildSnapshot(coopRows: CatalogCoop[], productRows: CatalogProduct[]): CatalogSnapshot {
  const coops = [...coopRows].sort((a, b) => a.name.localeCompare(b.name, 'it'));
  const coopsById = new Map(coops.map((c) => [c.id, c]));
  const coopsBySlug = new Map(coops.map((c) => [c.slug, c]));
  const products = productRows
    .filter((p) => coopsById.has(p.coopId))
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.slug < b.slug ? -1 : 1))
    .map((p, idx) => ({ ...p, idx, coop: coopsById.get(p.coopId)! }));
  const regions = [...new Set(coops.map((c) => c.region))].sort((a, b) => a.localeCompare(b, 'it'));
  const coopRow = new Map(coops.map((c, i) => [c.id, i]));
  const regionRow = new Map(regions.map((r, i) => [r, i]));
  const n = products.length;
  const cols = {
    department: new Uint8Array(n),
    category: new Uint8Array(n),
    coop: new Int32Array(n),
    region: new Int32Array(n),
    price: new Int32Array(n),
    certs: new Int32Array(n),
    season: new Int32Array(n),
  };

  const byId = new Map<string, CatalogProduct>();
  const bySlug = new Map<string, CatalogProduct>();
  const byCoop = new Map<string, CatalogProduct[]>();
  const byCategory = new Map<Category, CatalogProduct[]>();
  const wordRows = new Map<string, number[]>();
  for (const p of products) {
    const i = p.idx;
    byId.set(p.id, p);
    bySlug.set(p.slug, p);
    push(byCoop, p.coopId, p);
    push(byCategory, p.category, p);
    cols.department[i] = DEPARTMENT_SLUGS.indexOf(p.department);
    cols.category[i] = CATEGORY_SLUGS.indexOf(p.category);
    cols.coop[i] = coopRow.get(p.coopId)!;
    cols.region[i] = regionRow.get(p.coop.region)!;
    cols.price[i] = p.priceCents;
    for (const c of p.certifications) cols.certs[i]! |= 1 << CERTIFICATIONS.indexOf(c);
    for (const m of p.seasonMonths) if (m >= 1 && m <= 12) cols.season[i]! |= 1 << m;
    const all = [p.name.it, p.name.en, p.description.it, p.description.en, p.tags.join(' '), p.coop.name, CATEGORY_WORDS[p.category] ?? ''].join(' ');
    for (const w of new Set(normalizeText(all).split(' '))) if (w) push(wordRows, w, i);
  }
  const rows = (list: CatalogProduct[]) => Int32Array.from(list, (p) => p.idx);
  const collators = { it: new Intl.Collator('it'), en: new Intl.Collator('en') };
  const nameOf = (p: CatalogProduct, l: Locale) => p.name[l] || p.name.it || p.name.en;
  const byName = (l: Locale) => rows([...products].sort((a, b) => collators[l].compare(nameOf(a, l), nameOf(b, l)) || (a.slug < b.slug ? -1 : 1)));
  const priceAsc = rows([...products].sort((a, b) => a.priceCents - b.priceCents || (a.slug < b.slug ? -1 : 1)));
  const words = new Map([...wordRows].map(([w, list]) => [w, Int32Array.from(list)]));
  return {
    loadedAt: new Date(),
    products,
    byId,
    bySlug,
    byCoop,
    byCategory,
    coops,
    coopsById,
    coopsBySlug,
    regions,
    cols,
    orders: { newest: rows(products), priceAsc, priceDesc: priceAsc.slice().reverse(), name: { it: byName('it'), en: byName('en') } },
    words,
    vocabulary: [...words.keys()].sort(),
  };
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

type CoopDoc = Awaited<ReturnType<typeof readCoops>>[number];

const readCoops = () =>
  CoopModel.find({ status: 'approved' }, { name: 1, slug: 1, kind: 1, socialType: 1, region: 1, town: 1, story: 1, contact: 1, logo: 1, cover: 1, impact: 1, shipping: 1, stripeAccountId: 1, approvedAt: 1 }).lean();
const readProduct = (id: string) => ProductModel.findById(id, { ...PRODUCT_FIELDS, published: 1, archived: 1 }).lean();

function toCatalogCoop(c: CoopDoc): CatalogCoop {
  return {
    id: String(c._id),
    slug: c.slug,
    name: c.name,
    kind: c.kind,
    socialType: c.socialType,
    region: c.region,
    town: c.town,
    story: text(c.story),
    contact: { email: c.contact?.email ?? '', phone: c.contact?.phone ?? '', website: c.contact?.website ?? '' },
    logo: c.logo ?? '',
    cover: c.cover ?? '',
    impact: {
      members: c.impact?.members ?? undefined,
      integrationWorkers: c.impact?.integrationWorkers ?? undefined,
      trainingHours: c.impact?.trainingHours ?? undefined,
      supports: text(c.impact?.supports),
    },
    shipping: { flatCents: c.shipping?.flatCents ?? 690, freeOverCents: c.shipping?.freeOverCents ?? 6000, pickup: !!c.shipping?.pickup },
    stripeAccountId: c.stripeAccountId ?? undefined,
    approvedAt: c.approvedAt ?? undefined,
  };
}

function toCatalogProduct(p: Product): CatalogProduct {
  return {
    idx: 0,
    id: String(p._id),
    slug: p.slug,
    coopId: String(p.coop),
    coop: undefined as unknown as CatalogCoop,
    department: p.department as Department,
    category: p.category as Category,
    name: text(p.name),
    description: text(p.description),
    priceCents: p.priceCents,
    ivaRate: p.ivaRate,
    unit: (p.unit ?? 'piece') as Unit,
    variants: (p.variants ?? []).map((v) => ({ sku: v.sku, label: text(v.label), size: v.size ?? '', colour: v.colour ?? '', priceCents: v.priceCents })),
    images: (p.images ?? []).map((i) => ({ key: i.key, widths: [...(i.widths ?? [])], alt: text(i.alt) })),
    tags: [...(p.tags ?? [])],
    certifications: [...(p.certifications ?? [])] as Certification[],
    traceability: {
      lot: p.traceability?.lot ?? '',
      date: p.traceability?.date ?? undefined,
      place: p.traceability?.place ?? '',
      materials: text(p.traceability?.materials),
    },
    care: text(p.care),
    seasonMonths: [...(p.seasonMonths ?? [])],
    createdAt: p.createdAt ?? new Date(0),
    updatedAt: p.updatedAt ?? new Date(0),
  };
}

async function loadFromDb(): Promise<CatalogSnapshot> {
  // Versions are read before the data: a change landing during the load moves the token again, so the next poll reloads.
  const [catalogToken, stockToken, changes] = await Promise.all([readVersion('catalog'), readVersion('stock'), recentChanges()]);
  const [coopDocs, productDocs, stockLevels] = await Promise.all([
    readCoops(),
    ProductModel.find({ published: true, archived: trusted({ $ne: true }) }, PRODUCT_FIELDS).lean(),
    loadStock(),
  ]);
  const coops = coopDocs.map(toCatalogCoop);
  const products = productDocs.map((d) => toCatalogProduct(d as unknown as Product));
  const next = buildSnapshot(coops, products);
  setSnapshot(next);
  setStock(stockLevels);
  remember('catalog', catalogToken);
  remember('stock', stockToken);
  for (const c of changes) applied.set(String(c._id), c.at.getTime());
  return next;
}

/** The change records of the last minute (a small collection, read whole). */
function recentChanges() {
  return CatalogChangeModel.find({ at: trusted({ $gte: new Date(Date.now() - CHANGE_WINDOW_MS) }) }).lean();
}

/**
 * Re-reads only these products and their stock, each by `_id`, and
 * rebuilds the snapshot's indexes from memory. A product that is now
 * unpublished, archived or gone leaves the catalogue.
 */
async function reloadProducts(ids: string[]): Promise<void> {
  const snap = snapshot ?? (await loadFromDb());
  const docs = await Promise.all(ids.map((id) => (Types.ObjectId.isValid(id) ? readProduct(id) : null)));
  const rows = new Map(snap.products.map((p) => [p.id, p]));
  const live: CatalogProduct[] = [];
  ids.forEach((id, i) => {
    const d = docs[i];
    if (d && d.published && !d.archived) {
      const p = toCatalogProduct(d as unknown as Product);
      rows.set(id, p);
      live.push(p);
    } else rows.delete(id);
  });
  const stockIds = live.flatMap((p) => p.variants.map((v) => stockId(p.id, v.sku)));
  const levels = await Promise.all(stockIds.map((id) => StockLevelModel.findById(id, { onHand: 1 }).lean()));
  const nextStock = new Map(stock);
  stockIds.forEach((id, i) => nextStock.set(id, levels[i]?.onHand ?? 0));
  setSnapshot(buildSnapshot(snap.coops, [...rows.values()]));
  setStock(nextStock);
}

function forgetOldChanges(): void {
  const cutoff = Date.now() - 2 * CHANGE_WINDOW_MS;
  for (const [id, at] of applied) if (at < cutoff) applied.delete(id);
}

export const catalogChangesJob: Job = {
  name: 'catalog-changes',
  everyMs: 60_000,
  run: () => CatalogChangeModel.deleteMany({ at: trusted({ $lt: new Date(Date.now() - 10 * CHANGE_WINDOW_MS) }) }),
};

/**
 * Reloads this process's catalogue from the database. Calls that arrive
 * during a load are folded into one more load after it, so a burst of
 * edits costs at most two loads and every caller sees its own edit.
 */
export function refreshCatalog(): Promise<CatalogSnapshot> {
  if (pendingFull) return pendingFull;
  const run = serial(() => {
    pendingFull = null;
    return loadFromDb();
  });
  pendingFull = run;
  return run;
}

/** The current snapshot, loading it on first use (tests and scripts need no start-up step). */
export async function catalog(): Promise<CatalogSnapshot> {
  return snapshot ?? refreshCatalog();
}

/** Units on hand for one variant, as last loaded (at most a few seconds old). */
export function onHandOf(productId: string, sku: string): number {
  return stock.get(stockId(productId, sku)) ?? 0;
}

/** Units on hand over all variants of a product of the current snapshot. */
export function productOnHand(p: CatalogProduct): number {
  if (snapshot?.products[p.idx] === p) return onHandTotals(snapshot)[p.idx]!;
  let n = 0;
  for (const v of p.variants) n += stock.get(stockId(p.id, v.sku)) ?? 0;
  return n;
}

export const isInStock = (p: CatalogProduct): boolean => productOnHand(p) > 0;

async function bump(id: 'catalog' | 'stock'): Promise<void> {
  const token = randomUUID();
  remember(id, token); // our own bump needs no second reload here
  await CatalogVersionModel.updateOne({ _id: id }, { $set: { token } }, { upsert: true });
}

/**
 * Products or co-ops were edited (created, published, archived, approved,
 * paused…): tells every app process and reloads this one. Resolves once
 * this process shows the change.
 *
 * With `productIds` (an edit of a few products, co-ops unchanged) only
 * those are re-read, here and in the other processes, by `_id`: cheap at
 * any catalogue size. Without, every process reloads everything.
 */
export async function catalogChanged(opts: { productIds?: string[] } = {}): Promise<void> {
  const ids = [...new Set(opts.productIds ?? [])];
  if (ids.length && ids.length <= MAX_PARTIAL && snapshot) {
    const change = await CatalogChangeModel.create({ products: ids, at: new Date() });
    applied.set(String(change._id), change.at.getTime());
    await serial(() => reloadProducts(ids));
    return;
  }
  await bump('catalog');
  await refreshCatalog();
}

/** Stock levels this process wrote itself, with their values, so they need no reading back. */
export interface KnownStock {
  levels: Map<string, number>;
  /** stockLoadCount() when the first of them was written. */
  since: number;
}

/**
 * Stock levels changed. With product ids, only their stock is re-read here
 * (a few `_id` lookups), or taken from `known` when this process wrote it
 * and no full reload has happened since; other processes re-read all
 * stock on their next poll.
 */
export async function stockChanged(productIds?: string[], known?: KnownStock): Promise<void> {
  await bump('stock');
  if (!productIds || !snapshot) {
    setStock(await loadStock());
    return;
  }
  const ids = productIds.flatMap((pid) => snapshot?.byId.get(pid)?.variants.map((v) => stockId(pid, v.sku)) ?? []);
  if (!ids.length) return;
  const written = known && known.since === stockLoads ? known.levels : new Map<string, number>();
  const unknown = ids.filter((id) => !written.has(id));
  // Only the levels to read count against the bound: a busy checkout window touches many items, all written here.
  if (unknown.length > MAX_PARTIAL) {
    setStock(await loadStock());
    return;
  }
  // One lookup per stock level: a filter on `_id` alone is what FerretDB serves from its index.
  const rows = await Promise.all(unknown.map((id) => StockLevelModel.findById(id, { onHand: 1 }).lean()));
  const next = new Map(stock);
  unknown.forEach((id, i) => next.set(id, rows[i]?.onHand ?? 0));
  for (const id of ids) if (written.has(id)) next.set(id, written.get(id)!);
  setStock(next);
}

/** One poll: reload what another process changed. Exported for tests. */
export async function pollCatalogVersions(): Promise<'catalog' | 'products' | 'stock' | 'none'> {
  const [catalogToken, stockToken, changes] = await Promise.all([readVersion('catalog'), readVersion('stock'), recentChanges()]);
  if (isNew('catalog', catalogToken)) {
    await refreshCatalog();
    return 'catalog';
  }
  forgetOldChanges();
  const fresh = changes.filter((c) => !applied.has(String(c._id)));
  let result: 'products' | 'stock' | 'none' = 'none';
  if (fresh.length) {
    for (const c of fresh) applied.set(String(c._id), c.at.getTime());
    const ids = [...new Set(fresh.flatMap((c) => c.products))];
    await serial(async () => {
      if (ids.length <= MAX_PARTIAL) await reloadProducts(ids);
      else await loadFromDb();
    });
    result = 'products';
  }
  if (isNew('stock', stockToken)) {
    remember('stock', stockToken);
    setStock(await loadStock());
    return 'stock';
  }
  return result;
}

export const CATALOG_POLL_MS = 2_000;

/**
 * Loads the catalogue and polls the version documents every 2 s, so a
 * change made by another process shows here within a few seconds.
 * Returns a function that stops polling.
 */
export async function startCatalog(logger: Logger, pollMs = CATALOG_POLL_MS): Promise<() => void> {
  const t0 = Date.now();
  const snap = await refreshCatalog();
  logger.info({ products: snap.products.length, coops: snap.coops.length, ms: Date.now() - t0 }, 'catalogue loaded');
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    pollCatalogVersions()
      .catch((err: unknown) => logger.warn({ err }, 'catalogue poll failed'))
      .finally(() => {
        busy = false;
      });
  }, pollMs);
  timer.unref();
  return () => clearInterval(timer);
}
