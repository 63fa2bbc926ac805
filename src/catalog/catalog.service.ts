import type { Locale } from '../platform/i18n';
import { coopRating } from './ratings';
import { notFound } from '../platform/errors';
import { CATEGORY_SLUGS, CERTIFICATIONS, DEPARTMENT_SLUGS, DEPARTMENTS, type Category, type Department } from './categories';
import {
  catalog,
  catalogReadModel,
  isInStock,
  onHandOf,
  stockLevelsOf,
  productOnHand,
  type CatalogCoop,
  type CatalogProduct,
  type CatalogSnapshot,
} from './read-model';
import { PER_PAGE, type ListingFilters } from './catalog.schemas';
import { words } from './search-terms';

/** Longest number of search words used; more would only narrow an AND search to nothing. */
const MAX_WORDS = 8;

const ROME_MONTH = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Rome', month: 'numeric' });

/** The month (1–12) in Italy, where the seasons we list are. */
export function monthInItaly(now = new Date()): number {
  return Number(ROME_MONTH.format(now));
}

export const inSeason = (p: CatalogProduct, month: number): boolean => p.seasonMonths.includes(month);

/**
 * The rows of the products matching a search, through the in-memory word
 * index: every search word must match (AND) a word of the product by
 * prefix, so "caffe" finds "caffè" and "pomod" finds "pomodoro". Returns
 * null when the text has no searchable word.
 */
export function searchRows(snap: CatalogSnapshot, q: string): Uint8Array | null {
  const terms = words(q).slice(0, MAX_WORDS);
  if (!terms.length) return null;
  let result: Uint8Array | null = null;
  for (const term of terms) {
    const found = new Uint8Array(snap.products.length);
    let any = false;
    // The vocabulary is sorted, so all words starting with `term` sit together from its insertion point.
    for (let i = lowerBound(snap.vocabulary, term); i < snap.vocabulary.length && snap.vocabulary[i]!.startsWith(term); i++) {
      for (const row of snap.words.get(snap.vocabulary[i]!)!) {
        if (!result || result[row]) {
          found[row] = 1;
          any = true;
        }
      }
    }
    result = found;
    if (!any) break;
  }
  return result;
}

/** The products matching a search (see searchRows), or null when the text has no searchable word. */
export function searchProducts(snap: CatalogSnapshot, q: string): Set<CatalogProduct> | null {
  const rows = searchRows(snap, q);
  return rows && new Set(snap.products.filter((p) => rows[p.idx]));
}

function lowerBound(sorted: string[], x: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface Facets {
  department: Map<string, number>;
  category: Map<string, number>;
  coop: Map<string, number>;
  region: Map<string, number>;
  cert: Map<string, number>;
  inStock: number;
  inSeason: number;
}

export interface Listing {
  items: CatalogProduct[];
  total: number;
  page: number;
  pages: number;
  perPage: number;
  /** The requested page was past the last one and the last page is shown instead. */
  pageClamped: boolean;
  facets: Facets;
  filters: ListingFilters;
}

// One bit per filter dimension, for the facet counts below.
const D_DEPT = 1,
  D_CAT = 2,
  D_COOP = 4,
  D_REGION = 8,
  D_PRICE = 16,
  D_CERT = 32,
  D_STOCK = 64,
  D_SEASON = 128;

/**
 * One page of the catalogue for a set of filters, with the count of
 * results each filter value would give (the other filters kept).
 *
 * One pass over the product rows in the chosen order: a product that fails
 * no filter is a result and counts for every facet; a product that fails
 * only one filter counts for that filter's values alone (so the number
 * beside a co-op reads "what you'd get choosing it instead"). No database
 * access.
 */
export async function listProducts(
  filters: ListingFilters,
  opts: { locale: Locale; now?: Date; perPage?: number; searchOnly?: boolean },
): Promise<Listing> {
  const snap = await catalog();
  const month = monthInItaly(opts.now);
  const perPage = opts.perPage ?? PER_PAGE;
  const f = filters;
  const key = JSON.stringify([
    f.department,
    f.category,
    f.coop,
    f.region,
    f.minCents,
    f.maxCents,
    f.cert,
    f.inStock,
    f.inSeason,
    f.q,
    f.sort,
    f.sort === 'name' ? opts.locale : '',
    month,
    !!opts.searchOnly,
  ]);
  // Recent listings (all pages of one set of filters) are kept until the catalogue or stock changes, so paging through or reloading one costs no scan.
  const matched = catalogReadModel.store.memo(`listing:${key}`, () => matchRows(snap, f, month, opts));
  const total = matched.rows.length;
  const pages = Math.max(1, Math.ceil(total / perPage));
  const pageClamped = f.page > pages;
  const page = Math.min(f.page, pages);
  const items = Array.from(matched.rows.subarray((page - 1) * perPage, page * perPage), (i) => snap.products[i]!);
  return { items, total, page, pages, perPage, pageClamped, facets: matched.facets, filters: { ...f, page } };
}

function matchRows(
  snap: CatalogSnapshot,
  f: ListingFilters,
  month: number,
  opts: { locale: Locale; searchOnly?: boolean },
): { rows: Int32Array; facets: Facets } {
  const { cols } = snap;
  const onHand = catalogReadModel.store.onHandTotals(snap);
  const want = {
    department: f.department ? DEPARTMENT_SLUGS.indexOf(f.department) : -1,
    category: f.category ? CATEGORY_SLUGS.indexOf(f.category) : -1,
    coop: f.coop ? snap.coops.findIndex((c) => c.slug === f.coop) : -1,
    region: f.region ? snap.regions.indexOf(f.region) : -1,
    cert: f.cert ? 1 << CERTIFICATIONS.indexOf(f.cert) : 0,
    season: 1 << month,
  };
  // A co-op or region that is not (or no longer) listed matches nothing, rather than everything.
  const none = (f.coop && want.coop < 0) || (f.region && want.region < 0);
  const minCents = f.minCents ?? -1;
  const maxCents = f.maxCents ?? Number.MAX_SAFE_INTEGER;
  const matches = f.q ? searchRows(snap, f.q) : null;
  const order =
    f.sort === 'price-asc'
      ? snap.orders.priceAsc
      : f.sort === 'price-desc'
        ? snap.orders.priceDesc
        : f.sort === 'name'
          ? snap.orders.name[opts.locale]
          : f.sort === 'rating'
            ? snap.orders.rating
            : snap.orders.newest;

  const nDept = new Int32Array(DEPARTMENT_SLUGS.length);
  const nCat = new Int32Array(CATEGORY_SLUGS.length);
  const nCoop = new Int32Array(snap.coops.length);
  const nRegion = new Int32Array(snap.regions.length);
  const nCert = new Int32Array(CERTIFICATIONS.length);
  let nStock = 0;
  let nSeason = 0;
  const rows: number[] = [];
  const searching = opts.searchOnly ? !!matches : !f.q || !!matches;
  if (searching && !none) {
    for (let k = 0; k < order.length; k++) {
      const i = order[k]!;
      if (matches && !matches[i]) continue;
      const stocked = onHand[i]! > 0;
      const seasonal = (cols.season[i]! & want.season) !== 0;
      let fails = 0;
      if (want.department >= 0 && cols.department[i] !== want.department) fails |= D_DEPT;
      if (want.category >= 0 && cols.category[i] !== want.category) fails |= D_CAT;
      if (want.coop >= 0 && cols.coop[i] !== want.coop) fails |= D_COOP;
      if (want.region >= 0 && cols.region[i] !== want.region) fails |= D_REGION;
      const price = cols.price[i]!;
      if (price < minCents || price > maxCents) fails |= D_PRICE;
      if (want.cert && !(cols.certs[i]! & want.cert)) fails |= D_CERT;
      if (f.inStock && !stocked) fails |= D_STOCK;
      if (f.inSeason && !seasonal) fails |= D_SEASON;
      if (fails === 0) rows.push(i);
      else if (fails & (fails - 1)) continue; // fails two or more: counts nowhere
      if (!fails || fails === D_DEPT) nDept[cols.department[i]!]!++;
      if (!fails || fails === D_CAT) nCat[cols.category[i]!]!++;
      if (!fails || fails === D_COOP) nCoop[cols.coop[i]!]!++;
      if (!fails || fails === D_REGION) nRegion[cols.region[i]!]!++;
      if (!fails || fails === D_CERT) {
        for (let c = cols.certs[i]!, b = 0; c; c >>>= 1, b++) if (c & 1) nCert[b]!++;
      }
      if ((!fails || fails === D_STOCK) && stocked) nStock++;
      if ((!fails || fails === D_SEASON) && seasonal) nSeason++;
    }
  }
  const toMap = (names: readonly string[], counts: Int32Array) => {
    const m = new Map<string, number>();
    counts.forEach((n, i) => {
      if (n) m.set(names[i]!, n);
    });
    return m;
  };
  return {
    rows: Int32Array.from(rows),
    facets: {
      department: toMap(DEPARTMENT_SLUGS, nDept),
      category: toMap(CATEGORY_SLUGS, nCat),
      coop: toMap(
        snap.coops.map((c) => c.slug),
        nCoop,
      ),
      region: toMap(snap.regions, nRegion),
      cert: toMap(CERTIFICATIONS, nCert),
      inStock: nStock,
      inSeason: nSeason,
    },
  };
}

/** A product as its page shows it, or a 404 when it is not for sale to consumers. */
export async function productPage(slug: string, now?: Date) {
  const snap = await catalog();
  const product = snap.bySlug.get(slug);
  if (!product) throw notFound('product_not_found', `No published product ${slug}`);
  const month = monthInItaly(now);
  const variants = product.variants.map((v) => ({ ...v, onHand: onHandOf(product.id, v.sku) }));
  return {
    product,
    variants,
    /** The levels shown, read with them (see `stockLevelsOf`). */
    levels: stockLevelsOf(product),
    onHand: variants.reduce((n, v) => n + v.onHand, 0),
    inSeason: inSeason(product, month),
    related: relatedProducts(snap, product, 4),
  };
}

/**
 * Up to `n` other products of the same category (among its first 200), in
 * stock first, the same co-op's first among equals, else in catalogue order;
 * topped up from the same co-op. One pass that reads each candidate's stock
 * once (a sort read it about 3,000 times a product page).
 */
export function relatedProducts(snap: CatalogSnapshot, p: CatalogProduct, n: number): CatalogProduct[] {
  // By score, best first: 3 in stock and same co-op, 2 in stock, 1 same co-op, 0 neither.
  const byScore: CatalogProduct[][] = [[], [], [], []];
  let candidates = 0;
  for (const o of snap.byCategory.get(p.category) ?? []) {
    if (o.id === p.id) continue;
    if (++candidates > 200) break;
    const score = (isInStock(o) ? 2 : 0) + (o.coopId === p.coopId ? 1 : 0);
    if (byScore[3 - score]!.length < n) byScore[3 - score]!.push(o);
    if (byScore[0]!.length >= n) break; // nothing can beat n of the best
  }
  const picked = byScore.flat().slice(0, n);
  if (picked.length < n) {
    for (const o of snap.byCoop.get(p.coopId) ?? []) {
      if (picked.length >= n) break;
      if (o.id !== p.id && !picked.includes(o)) picked.push(o);
    }
  }
  return picked;
}

/** What the home page shows. */
export async function homePage(now?: Date) {
  const snap = await catalog();
  const month = monthInItaly(now);
  const seasonal = snap.products.filter((p) => p.department === 'produce' && inSeason(p, month) && isInStock(p)).slice(0, 8);
  const fromWorkshops = snap.products.filter((p) => p.department === 'craft' && isInStock(p)).slice(0, 8);
  // The spotlight turns daily through the co-ops that have something to sell.
  const withGoods = snap.coops.filter((c) => (snap.byCoop.get(c.id)?.length ?? 0) > 0);
  const day = Math.floor((now ?? new Date()).getTime() / 86_400_000);
  const spotlight = withGoods.length ? withGoods[day % withGoods.length]! : null;
  const departments = (Object.keys(DEPARTMENTS) as Department[]).map((d) => ({
    slug: d,
    categories: (DEPARTMENTS[d] as readonly Category[]).map((c) => ({ slug: c, count: snap.byCategory.get(c)?.length ?? 0 })),
  }));
  return {
    seasonal,
    fromWorkshops,
    spotlight,
    spotlightProducts: spotlight ? (snap.byCoop.get(spotlight.id) ?? []).slice(0, 4) : [],
    departments,
    coopCount: snap.coops.length,
    productCount: snap.products.length,
  };
}

/** The approved co-ops, by name, with how many products each has on sale. */
export async function listCoops(): Promise<{ coop: CatalogCoop; productCount: number }[]> {
  const snap = await catalog();
  return snap.coops.map((coop) => ({ coop, productCount: snap.byCoop.get(coop.id)?.length ?? 0 }));
}

/** A co-op's public page, or a 404 when it is not approved (pending, paused, rejected) or unknown. */
export async function coopPage(slug: string) {
  const snap = await catalog();
  const coop = snap.coopsBySlug.get(slug);
  if (!coop) throw notFound('coop_not_found', `No approved co-op ${slug}`);
  // One read by `_id`; the page is kept until the catalogue moves, which a review's change does.
  return { coop, products: snap.byCoop.get(coop.id) ?? [], rating: await coopRating(coop.id) };
}

/**
 * What checkout and the cart need to sell one variant: the product, the
 * variant, its co-op (with shipping settings) and the units on hand as
 * last loaded (a few seconds old at most: reserve stock against the
 * database, never against this). Null when the product is unknown,
 * unpublished or archived, or its co-op is not approved.
 */
export async function getPurchasable(productId: string, sku: string) {
  const snap = await catalog();
  const product = snap.byId.get(productId);
  const variant = product?.variants.find((v) => v.sku === sku);
  if (!product || !variant) return null;
  return { product, variant, coop: product.coop, onHand: onHandOf(product.id, sku) };
}

/** The listed products among these ids, in the order given; unknown or hidden ones are left out. */
export async function getProductsByIds(ids: string[]): Promise<CatalogProduct[]> {
  const snap = await catalog();
  return ids.flatMap((id) => snap.byId.get(id) ?? []);
}

export { productOnHand, isInStock };
