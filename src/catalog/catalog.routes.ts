import { Router, type Request, type Response } from 'express';
import type { Locale } from '../platform/i18n';
import type { FrontDoor } from '../platform/front-door';
import { notFound } from '../platform/errors';
import { localized } from '../platform/i18n';
import { CERTIFICATIONS, DEPARTMENTS, departmentOf, isCategory, isDepartment, unitPrice, type Category } from './categories';
import { catalog, catalogShapeGeneration, isInStock, stockLevelsOf, type CatalogProduct } from './read-model';
import { homePage, listProducts, productPage, type Listing } from './catalog.service';
import { listingQueryString, parseListingQuery, productSlugSchema, SORTS, type ListingFilters } from './catalog.schemas';
import { imageSrcset, imageUrl, IMAGE_WIDTHS, LOGO_WIDTHS } from './media';
import { bodyCache, keepWhile, pageCache } from './page-cache';

/** Helpers every catalogue view (and the co-op pages) use to show products. */
export const catalogViewHelpers = { imageUrl, imageSrcset, IMAGE_WIDTHS, LOGO_WIDTHS, unitPrice, isInStock };

export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** JSON for a `<script type="application/ld+json">`: `<` escaped so the text can never close the element. */
export const jsonLd = (data: unknown): string =>
  `<script type="application/ld+json">${JSON.stringify(data).replace(/</g, '\\u003c')}</script>`;

const STOREFRONT = /^\/(shop|search|coops|products)(\/|$)|^\/$/;

/**
 * A section a higher feature adds to the product page (the reviews, handed
 * in by createApp, so the catalogue imports nothing above it): its HTML,
 * rendered for any visitor (`renderForAnyone`: its forms' CSRF slots are
 * filled as the page goes out), and schema.org Product properties for the
 * page's JSON-LD. What it shows must change only with the catalogue's
 * generation (the page is kept until then), or with the URL.
 */
export interface ProductSection {
  html: string;
  ld?: Record<string, unknown>;
}
export type ProductSections = (product: CatalogProduct, query: Record<string, unknown>, locale: Locale) => Promise<ProductSection | null>;

/** The storefront: home, listings, search and product pages (and the rendered-page caches the co-op pages share). */
export function catalogRoutes(deps: { productSection?: ProductSections; frontDoor?: FrontDoor } = {}): Router {
  const router = Router();
  const storefront = { paths: (path: string) => STOREFRONT.test(path), generation: catalogShapeGeneration };
  router.use(pageCache({ ...storefront, frontDoor: deps.frontDoor }), bodyCache(storefront));

  router.get('/', async (req, res) => {
    const home = await homePage();
    res.render('catalog/home', {
      title: req.t('catalog.home.title'),
      description: req.t('catalog.home.lead'),
      ...home,
      ...catalogViewHelpers,
    });
  });

  router.get('/shop', (req, res) => showListing(req, res, {}));

  router.get('/shop/:department', (req, res) => {
    const { department } = req.params;
    if (!isDepartment(department)) throw notFound('department_not_found', `No department ${department}`);
    return showListing(req, res, { department });
  });

  router.get('/shop/:department/:category', (req, res) => {
    const { department, category } = req.params;
    if (!isDepartment(department) || !isCategory(category) || departmentOf(category) !== department) {
      throw notFound('category_not_found', `No category ${department}/${category}`);
    }
    return showListing(req, res, { department, category });
  });

  router.get('/search', (req, res) => showListing(req, res, { search: true }));

  router.get('/products/:slug', async (req, res) => {
    const slug = productSlugSchema.safeParse(req.params.slug);
    if (!slug.success) throw notFound('product_not_found', 'Bad product slug');
    const page = await productPage(slug.data);
    const { product } = page;
    // The page shows its own levels ("3 left", the quantity's maximum): kept while they hold.
    keepWhile(res, whileLevelsAre(product, page.levels));
    const section = deps.productSection ? await deps.productSection(product, req.query as Record<string, unknown>, req.locale) : null;
    const locale = req.locale;
    const url = `${res.locals.publicUrl as string}/products/${product.slug}`;
    const name = localized(product.name, locale);
    const description = localized(product.description, locale);
    const image = product.images[0];
    const imageAbs = image ? `${res.locals.publicUrl as string}${imageUrl(image.key, IMAGE_WIDTHS[IMAGE_WIDTHS.length - 1]!)}` : undefined;
    const og = [
      ['og:type', 'product'],
      ['og:title', name],
      ['og:description', description],
      ['og:url', url],
      ['og:site_name', 'Filiera'],
      ['og:locale', locale === 'it' ? 'it_IT' : 'en_GB'],
      ...(imageAbs
        ? [
            ['og:image', imageAbs],
            ['og:image:alt', localized(image!.alt, locale) || name],
          ]
        : []),
      ['product:price:amount', (product.priceCents / 100).toFixed(2)],
      ['product:price:currency', 'EUR'],
    ];
    const ld = {
      '@context': 'https://schema.org',
      '@type': 'Product',
      name,
      description,
      url,
      sku: product.variants[0]?.sku,
      category: req.t(`catalog.categories.${product.category}`),
      image: product.images.map((i) => `${res.locals.publicUrl as string}${imageUrl(i.key, IMAGE_WIDTHS[IMAGE_WIDTHS.length - 1]!)}`),
      brand: { '@type': 'Brand', name: product.coop.name },
      offers: page.variants.map((v) => ({
        '@type': 'Offer',
        sku: v.sku,
        price: (v.priceCents / 100).toFixed(2),
        priceCurrency: 'EUR',
        availability: v.onHand > 0 ? 'https://schema.org/InStock' : 'https://schema.org/OutOfStock',
        url,
        seller: { '@type': 'Organization', name: product.coop.name },
      })),
      ...section?.ld,
    };
    const head = [
      ...og.map(([p, c]) => `<meta property="${p}" content="${escapeHtml(c!)}">`),
      `<link rel="canonical" href="${escapeHtml(url)}">`,
      jsonLd(ld),
    ].join('\n  ');
    res.render('catalog/product', { title: name, description: description.slice(0, 160), head, ...page, section, ...catalogViewHelpers });
  });

  return router;
}

/**
 * A kept product page's check. Made out here: a closure made inside the
 * route would hold on to the route's whole scope (the request, the
 * response and what they reference) for as long as the page is kept.
 */
const whileLevelsAre =
  (product: CatalogProduct, levels: string): (() => boolean) =>
  () =>
    stockLevelsOf(product) === levels;

type Place = { department?: ListingFilters['department']; category?: Category; search?: boolean };

const basePathOf = (place: Place): string =>
  place.search
    ? '/search'
    : place.category
      ? `/shop/${place.department}/${place.category}`
      : place.department
        ? `/shop/${place.department}`
        : '/shop';

/**
 * One listing page. The filter form always submits to /shop (or /search),
 * so a department or category chosen in it arrives as a query parameter:
 * it is redirected to the canonical path (/shop/produce/honey?…) so each
 * listing has one stable URL.
 */
async function showListing(req: Request, res: Response, place: Place): Promise<void> {
  const { filters, notices } = parseListingQuery(req.query as Record<string, unknown>);
  if (!place.search) {
    if (filters.category || filters.department) {
      // A category from the other department than the one chosen beside it was left over: the department wins.
      const category =
        filters.category && (!filters.department || departmentOf(filters.category) === filters.department) ? filters.category : undefined;
      const department = category ? departmentOf(category) : filters.department;
      const target =
        basePathOf({ department, category }) + listingQueryString({ ...filters, department: undefined, category: undefined, page: 1 });
      if (department !== place.department || category !== place.category) return res.redirect(302, target);
    }
    filters.department = place.department;
    filters.category = place.category;
  }
  const [listing, snap] = await Promise.all([listProducts(filters, { locale: req.locale, searchOnly: !!place.search }), catalog()]);
  if (listing.pageClamped) notices.push('pageTooHigh');
  const base = basePathOf(place);
  const t = req.t;
  const heading = place.search
    ? filters.q
      ? t('catalog.search.heading', { q: filters.q })
      : t('catalog.search.empty')
    : place.category
      ? t(`catalog.categories.${place.category}`)
      : place.department
        ? t(`catalog.departments.${place.department}`)
        : t('catalog.shop.heading');
  res.render('catalog/listing', {
    title: heading,
    heading,
    place,
    base,
    formAction: place.search ? '/search' : '/shop',
    listing,
    notices,
    pageUrl: (page: number) =>
      base +
      listingQueryString(
        { ...listing.filters, ...(place.search ? {} : { department: undefined, category: undefined }), page },
        { withPlace: !!place.search },
      ),
    pageNumbers: pageWindow(listing),
    departments: DEPARTMENTS,
    certifications: CERTIFICATIONS,
    sorts: SORTS,
    coopsBySlug: snap.coopsBySlug,
    ...catalogViewHelpers,
  });
}

/** The page links to show: first, last, and two either side of the current one. */
export function pageWindow(l: Pick<Listing, 'page' | 'pages'>): (number | null)[] {
  const out: (number | null)[] = [];
  for (let p = 1; p <= l.pages; p++) {
    if (p === 1 || p === l.pages || Math.abs(p - l.page) <= 2) out.push(p);
    else if (out[out.length - 1] !== null) out.push(null);
  }
  return out;
}
