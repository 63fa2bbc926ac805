import { averageOf, type CatalogProduct, type ProductSection } from '../catalog';
import { translator, type Locale } from '../platform/i18n';
import { REVIEWS_PER_PAGE, type Reviews } from './reviews.service';
import { ProductReviewsQuery, REVIEW_SORTS } from './reviews.schemas';

/** How many reviews go into the page's JSON-LD (the first page's, as shown). */
const LD_REVIEWS = 5;

/** Renders a view for any visitor (platform/web's `renderForAnyone`, bound to the app). */
export type RenderForAnyone = (view: string, locals: Record<string, unknown>) => Promise<string>;

/**
 * The reviews on a product page, handed to the catalogue by createApp: the
 * rating summary (kept on the product, so no count per page), one page of
 * reviews (one query on its index), and the schema.org `aggregateRating`
 * and `review` for the page's JSON-LD. The section is the same for every
 * visitor, so it is rendered once and kept (the forms' CSRF tokens are
 * slots each visitor's page fills), and the catalogue's kept pages may
 * hold it.
 */
export function productSection(reviews: Reviews, render: RenderForAnyone) {
  const kept = new KeptSections();
  return (product: CatalogProduct, query: Record<string, unknown>, locale: Locale): Promise<ProductSection> => {
    const q = ProductReviewsQuery.parse({ rsort: query.rsort, rpage: query.rpage });
    return kept.get(product, `${product.id}|${q.rsort}|${q.rpage}|${locale}`, () => readSection(reviews, render, product, q, locale));
  };
}

/** How long a product's reviews section is shown again without reading (the kept pages' own limit). */
const SECTION_MS = 60_000;
/** Sections kept at most (about 10 KB of HTML each: 5 MB; the app keeps under 300 MB resident); the oldest goes first. */
const MAX_SECTIONS = 500;

/**
 * The reviews sections of recently seen products, so a product page with
 * reviews costs about what one without does. A section is valid while the
 * catalogue shows the same product object: every change of a review
 * (written, edited, replied to, hidden, deleted) tells the catalogue, which
 * then holds a new object for that product in every process (see
 * reviews.service's `sync`); and for at most SECTION_MS, like the kept
 * pages (helpful votes do not tell the catalogue).
 */
class KeptSections {
  private readonly entries = new Map<string, { product: CatalogProduct; at: number; section: Promise<ProductSection> }>();

  get(product: CatalogProduct, key: string, read: () => Promise<ProductSection>): Promise<ProductSection> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.product === product && now - hit.at < SECTION_MS) return hit.section;
    const section = read();
    this.entries.delete(key);
    this.entries.set(key, { product, at: now, section });
    if (this.entries.size > MAX_SECTIONS) this.entries.delete(this.entries.keys().next().value!);
    // A failed read is not kept.
    section.catch(() => {
      if (this.entries.get(key)?.section === section) this.entries.delete(key);
    });
    return section;
  }
}

async function readSection(
  reviews: Reviews,
  render: RenderForAnyone,
  product: CatalogProduct,
  q: ReturnType<typeof ProductReviewsQuery.parse>,
  locale: Locale,
): Promise<ProductSection> {
  const rating = product.rating;
  const pages = Math.max(1, Math.ceil(rating.count / REVIEWS_PER_PAGE));
  const page = Math.min(q.rpage, pages);
  const items = rating.count ? await reviews.forProduct(product.id, q.rsort, page) : [];
  const average = averageOf(rating);
  const ld: Record<string, unknown> = {};
  if (rating.count) {
    ld.aggregateRating = { '@type': 'AggregateRating', ratingValue: average, reviewCount: rating.count, bestRating: 5, worstRating: 1 };
    ld.review = items.slice(0, LD_REVIEWS).map((r) => ({
      '@type': 'Review',
      reviewRating: { '@type': 'Rating', ratingValue: r.stars, bestRating: 5, worstRating: 1 },
      author: { '@type': 'Person', name: r.anonymous || !r.displayName ? translator(locale)('reviews.anonymous') : r.displayName },
      datePublished: new Date(r.createdAt).toISOString().slice(0, 10),
      ...(r.title ? { name: r.title } : {}),
      ...(r.body ? { reviewBody: r.body } : {}),
    }));
  }
  const html = await render('reviews/_product', {
    t: translator(locale),
    locale,
    product,
    rating,
    average,
    reviews: items,
    sort: q.rsort,
    sorts: REVIEW_SORTS,
    page,
    pages,
    slug: product.slug,
    monthOf: (d: Date) => reviews.monthOf(new Date(d), locale),
  });
  return { html, ld };
}
