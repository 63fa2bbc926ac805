import { z } from 'zod';
import { CATEGORY_SLUGS, CERTIFICATIONS, DEPARTMENT_SLUGS, type Category, type Certification, type Department } from './categories';

export const SORTS = ['newest', 'price-asc', 'price-desc', 'name', 'rating'] as const;
export type Sort = (typeof SORTS)[number];

export const PER_PAGE = 24;
/** Longest search text we read; the rest of a longer one is dropped (with a notice). */
export const MAX_Q = 100;
/** Highest price filter, in euro: €100,000. */
const MAX_EURO = 100_000;

/** The listing filters, already validated. Prices in cents. */
export interface ListingFilters {
  department?: Department;
  category?: Category;
  coop?: string;
  region?: string;
  minCents?: number;
  maxCents?: number;
  cert?: Certification;
  inStock?: boolean;
  inSeason?: boolean;
  q?: string;
  sort: Sort;
  page: number;
}

/** Why part of a query was not used, as locale keys under catalog.notices. */
export type Notice = 'ignoredParams' | 'badPrice' | 'badPage' | 'pageTooHigh' | 'qTooLong' | 'priceSwapped';

const slug = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9-]{0,79}$/);
const euro = z
  .string()
  .trim()
  .regex(/^\d{1,6}([.,]\d{1,2})?$/)
  .transform((s) => Math.round(Number(s.replace(',', '.')) * 100))
  .refine((c) => c <= MAX_EURO * 100);
const flag = z.enum(['1', 'on', 'true']);

const FIELDS = {
  q: z.string(),
  coop: slug,
  region: z
    .string()
    .trim()
    .min(2)
    .max(40)
    .regex(/^[\p{L}' -]+$/u),
  cert: z.enum(CERTIFICATIONS),
  min: euro,
  max: euro,
  stock: flag,
  season: flag,
  sort: z.enum(SORTS),
  page: z
    .string()
    .regex(/^\d{1,9}$/)
    .transform(Number)
    .refine((n) => n >= 1),
  department: z.enum(DEPARTMENT_SLUGS),
  category: z.enum(CATEGORY_SLUGS as [Category, ...Category[]]),
} as const;

type FieldName = keyof typeof FIELDS;

/**
 * Reads the listing query leniently: each parameter is checked on its own,
 * and one that is repeated (`?coop=a&coop=b`), bracketed (`price[$gt]=0`),
 * unknown or invalid is dropped with a notice instead of failing the page.
 * Only strings reach the filters, so no operator can ever get through.
 * An empty value means "no filter" (what an untouched form field sends).
 */
export function parseListingQuery(query: Record<string, unknown>): { filters: ListingFilters; notices: Notice[] } {
  const notices = new Set<Notice>();
  const filters: ListingFilters = { sort: 'newest', page: 1 };
  for (const [key, raw] of Object.entries(query)) {
    if (!Object.hasOwn(FIELDS, key)) {
      notices.add('ignoredParams');
      continue;
    }
    if (typeof raw !== 'string') {
      notices.add('ignoredParams');
      continue;
    }
    if (raw.trim() === '') continue;
    const name = key as FieldName;
    if (name === 'q') {
      const q = raw.replace(/\0/g, '').trim();
      if (q.length > MAX_Q) notices.add('qTooLong');
      filters.q = q.slice(0, MAX_Q);
      continue;
    }
    const parsed = FIELDS[name].safeParse(raw);
    if (!parsed.success) {
      notices.add(name === 'min' || name === 'max' ? 'badPrice' : name === 'page' ? 'badPage' : 'ignoredParams');
      continue;
    }
    const v = parsed.data;
    switch (name) {
      case 'coop':
        filters.coop = v as string;
        break;
      case 'region':
        filters.region = v as string;
        break;
      case 'cert':
        filters.cert = v as Certification;
        break;
      case 'min':
        filters.minCents = v as number;
        break;
      case 'max':
        filters.maxCents = v as number;
        break;
      case 'stock':
        filters.inStock = true;
        break;
      case 'season':
        filters.inSeason = true;
        break;
      case 'sort':
        filters.sort = v as Sort;
        break;
      case 'page':
        filters.page = v as number;
        break;
      case 'department':
        filters.department = v as Department;
        break;
      case 'category':
        filters.category = v as Category;
        break;
    }
  }
  if (filters.minCents !== undefined && filters.maxCents !== undefined && filters.minCents > filters.maxCents) {
    [filters.minCents, filters.maxCents] = [filters.maxCents, filters.minCents];
    notices.add('priceSwapped');
  }
  return { filters, notices: [...notices] };
}

/**
 * The query string for a set of filters, in a fixed order and without
 * defaults, so the same listing always has the same URL.
 */
export function listingQueryString(f: Partial<ListingFilters>, opts: { withPlace?: boolean } = {}): string {
  const p = new URLSearchParams();
  if (opts.withPlace && f.department) p.set('department', f.department);
  if (opts.withPlace && f.category) p.set('category', f.category);
  if (f.q) p.set('q', f.q);
  if (f.coop) p.set('coop', f.coop);
  if (f.region) p.set('region', f.region);
  if (f.cert) p.set('cert', f.cert);
  if (f.minCents !== undefined) p.set('min', centsToEuroParam(f.minCents));
  if (f.maxCents !== undefined) p.set('max', centsToEuroParam(f.maxCents));
  if (f.inStock) p.set('stock', '1');
  if (f.inSeason) p.set('season', '1');
  if (f.sort && f.sort !== 'newest') p.set('sort', f.sort);
  if (f.page && f.page > 1) p.set('page', String(f.page));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export const centsToEuroParam = (c: number): string => (c % 100 === 0 ? String(c / 100) : (c / 100).toFixed(2));

export const productSlugSchema = slug;
