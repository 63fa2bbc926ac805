import { approvedCoops } from '../../coops';
import { trusted } from '../../platform/db';
import { ProductModel } from '../product.model';
import { StockLevelModel } from '../stock.model';

/**
 * What the read model reads from the database, and nothing else: whole
 * reads for a full load, lookups by `_id` for a partial reload.
 */

const PRODUCT_FIELDS = {
  coop: 1,
  department: 1,
  category: 1,
  slug: 1,
  name: 1,
  description: 1,
  priceCents: 1,
  ivaRate: 1,
  unit: 1,
  variants: 1,
  images: 1,
  tags: 1,
  certifications: 1,
  traceability: 1,
  care: 1,
  seasonMonths: 1,
  rating: 1,
  createdAt: 1,
  updatedAt: 1,
} as const;

/** The approved co-ops: the ones whose goods the shop shows. */
export const readCoops = approvedCoops;

export type CoopDoc = Awaited<ReturnType<typeof readCoops>>[number];

/** Every published, non-archived product. */
export const readListedProducts = () => ProductModel.find({ published: true, archived: trusted({ $ne: true }) }, PRODUCT_FIELDS).lean();

/** One product by `_id`, listed or not (the caller checks `published` and `archived`). */
export const readProduct = (id: string) => ProductModel.findById(id, { ...PRODUCT_FIELDS, published: 1, archived: 1 }).lean();

/** Units on hand of every stock level, by stock id. */
export async function readAllStock(): Promise<Map<string, number>> {
  const rows = await StockLevelModel.find({}, { onHand: 1 }).lean();
  return new Map(rows.map((r) => [r._id, r.onHand]));
}

/** Units on hand of one stock level (0 when it has none), by `_id`. */
export async function readStock(stockId: string): Promise<number> {
  return (await StockLevelModel.findById(stockId, { onHand: 1 }).lean())?.onHand ?? 0;
}
