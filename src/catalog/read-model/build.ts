import { translator, type Locale } from '../../platform/i18n';
import {
  CATEGORY_SLUGS,
  CERTIFICATIONS,
  DEPARTMENT_SLUGS,
  type Category,
  type Certification,
  type Department,
  type Unit,
} from '../categories';
import type { Product } from '../product.model';
import { toRating, type StoredRating } from '../ratings';
import { normalizeText } from '../search-terms';
import type { CoopDoc } from './source';
import type { CatalogCoop, CatalogProduct, CatalogSnapshot, Text } from './types';

/**
 * From database rows to the read model: the mapping of one co-op or
 * product, and the snapshot's indexes (slug, co-op, search words, sort
 * orders, filter columns). No database access here.
 */

const text = (t: Partial<Text> | undefined | null): Text => ({ it: t?.it ?? '', en: t?.en ?? '' });

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
    const all = [
      p.name.it,
      p.name.en,
      p.description.it,
      p.description.en,
      p.tags.join(' '),
      p.coop.name,
      CATEGORY_WORDS[p.category] ?? '',
    ].join(' ');
    for (const w of new Set(normalizeText(all).split(' '))) if (w) push(wordRows, w, i);
  }
  const rows = (list: CatalogProduct[]) => Int32Array.from(list, (p) => p.idx);
  const collators = { it: new Intl.Collator('it'), en: new Intl.Collator('en') };
  const nameOf = (p: CatalogProduct, l: Locale) => p.name[l] || p.name.it || p.name.en;
  const byName = (l: Locale) =>
    rows([...products].sort((a, b) => collators[l].compare(nameOf(a, l), nameOf(b, l)) || (a.slug < b.slug ? -1 : 1)));
  const priceAsc = rows([...products].sort((a, b) => a.priceCents - b.priceCents || (a.slug < b.slug ? -1 : 1)));
  // Best rated first (average, then how many reviews), the unrated after them, newest first within a tie.
  const avg = (p: CatalogProduct) => (p.rating?.count ? p.rating.sum / p.rating.count : -1);
  const rating = rows([...products].sort((a, b) => avg(b) - avg(a) || (b.rating?.count ?? 0) - (a.rating?.count ?? 0) || a.idx - b.idx));
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
    orders: {
      newest: rows(products),
      priceAsc,
      priceDesc: priceAsc.slice().reverse(),
      rating,
      name: { it: byName('it'), en: byName('en') },
    },
    words,
    vocabulary: [...words.keys()].sort(),
  };
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

export function toCatalogCoop(c: CoopDoc): CatalogCoop {
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
    legal: { name: c.legalName || c.name, vatNumber: c.vatNumber ?? '', seat: c.seat ?? '' },
    stripeAccountId: c.stripeAccountId ?? undefined,
    approvedAt: c.approvedAt ?? undefined,
  };
}

export function toCatalogProduct(p: Product): CatalogProduct {
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
    variants: (p.variants ?? []).map((v) => ({
      sku: v.sku,
      label: text(v.label),
      size: v.size ?? '',
      colour: v.colour ?? '',
      priceCents: v.priceCents,
    })),
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
    rating: toRating((p as { rating?: StoredRating }).rating),
    createdAt: p.createdAt ?? new Date(0),
    updatedAt: p.updatedAt ?? new Date(0),
  };
}
