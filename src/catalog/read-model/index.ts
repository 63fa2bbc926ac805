import { ChangeFeed } from '../../platform/change-feed';
import type { Logger } from '../../platform/logger';
import { CatalogReadModel, type CatalogTopic } from './reload';
import type { CatalogProduct, CatalogSnapshot, KnownStock } from './types';

/**
 * This process's catalogue read model: the one object that holds the
 * catalogue in memory. Making it starts nothing and reads nothing (it
 * loads on first use); its periodic work is `catalogJobs({ storage })`, run by the
 * app's job runner. Tests that need a process of their own (two processes
 * talking through the feed) build another `CatalogReadModel`.
 */
export const catalogReadModel = new CatalogReadModel(new ChangeFeed<CatalogTopic>('catalog', ['catalog', 'stock']));

/** The current snapshot, loading it on first use. */
export const catalog = (): Promise<CatalogSnapshot> => catalogReadModel.catalog();
/** Reloads this process's catalogue from the database (see CatalogReadModel.refresh). */
export const refreshCatalog = (): Promise<CatalogSnapshot> => catalogReadModel.refresh();
/** Products or co-ops were edited: tells every process and reloads this one (see CatalogReadModel.catalogChanged). */
export const catalogChanged = (opts?: { productIds?: string[] }): Promise<void> => catalogReadModel.catalogChanged(opts);
/** Stock levels changed (see CatalogReadModel.stockChanged). */
export const stockChanged = (productIds?: string[], known?: KnownStock): Promise<void> => catalogReadModel.stockChanged(productIds, known);
/** How many times all stock was read. */
export const stockLoadCount = (): number => catalogReadModel.stockLoadCount();
/** Products whose stock moved: the catalogue re-reads them within half a second (see StockSignal). */
export const signalStockChanged = (productIds: Iterable<string>): void => catalogReadModel.stockSignal.signal(productIds);
/** A number that changes with the products and co-ops, and when a product goes in or out of stock (see CatalogStore.shapeGeneration). */
export const catalogShapeGeneration = (): number => catalogReadModel.store.shapeGeneration;
/** A number that changes whenever anything the catalogue holds may have changed, stock levels included (see CatalogStore.generation). */
export const catalogGeneration = (): number => catalogReadModel.store.generation;
/** Each variant's units on hand as one string, to tell whether a page showing them is still right. */
export const stockLevelsOf = (p: CatalogProduct): string => catalogReadModel.store.levelsOf(p);
/** Units on hand for one variant, as last loaded (at most a few seconds old). */
export const onHandOf = (productId: string, sku: string): number => catalogReadModel.store.onHandOf(productId, sku);
/** Units on hand over all variants of a product of the current snapshot. */
export const productOnHand = (p: CatalogProduct): number => catalogReadModel.store.productOnHand(p);
export const isInStock = (p: CatalogProduct): boolean => productOnHand(p) > 0;

/** Loads the catalogue at start-up (pages would otherwise load it on the first request). */
export const loadCatalog = (logger: Logger): Promise<void> => catalogReadModel.load(logger);

export { CatalogReadModel, CATALOG_POLL_MS, type CatalogTopic } from './reload';
export { buildSnapshot } from './build';
export type { CatalogCoop, CatalogImage, CatalogProduct, CatalogSnapshot, CatalogVariant, KnownStock } from './types';
