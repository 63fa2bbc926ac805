/**
 * What other features may use from the catalogue.
 *
 * After editing products or co-ops, call `await catalogChanged()`; after
 * editing a few products (co-ops unchanged), prefer
 * `await catalogChanged({ productIds })`, which re-reads only those, by
 * `_id`, in every process (a full reload reads every product: seconds at
 * 10,000). After a stock change, `await stockChanged([productId, …])`.
 * All reload this process at once and tell the others through the change
 * feed (they read it every 2 s). In tests, make the data, then
 * `await catalogChanged()` (or `refreshCatalog()`) before requesting a page.
 *
 * Stock changes only through stock.service.ts (holds, releases, sales,
 * edits, restocks): never write a StockLevel directly.
 *
 * The catalogue's periodic work is `catalogJobs({ storage })`; `loadCatalog` loads it
 * at start-up.
 */
export { catalogRoutes, type ProductSection, type ProductSections } from './catalog.routes';
export { countReview, coopRating, productRating, averageOf, EMPTY_RATING, type RatingSummary } from './ratings';
export { coopsRoutes } from './coops.routes';
export {
  catalogChanged,
  catalogGeneration,
  stockChanged,
  stockLoadCount,
  signalStockChanged,
  type KnownStock,
  refreshCatalog,
  loadCatalog,
  onHandOf,
  type CatalogProduct,
  type CatalogCoop,
  type CatalogVariant,
  type CatalogImage,
} from './read-model';
export { catalogJobs } from './catalog.jobs';
export { pageCache, Pages, capturePage, keepWhile } from './page-cache';
export { getPurchasable, getProductsByIds, listCoops } from './catalog.service';
export { goodsAtAGlance, LOW_STOCK_UNITS } from './goods.service';
export { readProductsLive, readOnHandLive } from './live';
/** The co-op's goods editing (the workspace's pages call it). */
export * as goods from './goods.service';
export { MAX_IMAGE_BYTES, imageLibrary } from './images';
export { imageUrl, imageSrcset, IMAGE_WIDTHS, LOGO_WIDTHS } from './media';
export {
  DEPARTMENTS,
  CATEGORY_SLUGS,
  CERTIFICATIONS,
  UNITS,
  UNIT_CODES,
  IVA_RATES,
  unitPrice,
  departmentOf,
  isCategory,
  withdrawalExceptionOf,
  type WithdrawalException,
  type Category,
  type Certification,
  type Department,
  type Unit,
} from './categories';
export { GoodsSchema, ImageAltSchema, MAX_VARIANTS, goodsIntent, publishProblems, type GoodsInput } from './goods.schemas';
export { ProductModel } from './product.model';
export { StockLevelModel, stockId, type StockHold } from './stock.model';
export {
  holdUnits,
  releaseHold,
  markHoldSold,
  dropSoldHold,
  allHolds,
  itemsHeldFor,
  adjustStock,
  restockForRefund,
  outOfStock,
  type FoundHold,
  type ReleaseOutcome,
} from './stock.service';
