import { Types } from 'mongoose';
import { ProductModel } from './product.model';
import { StockLevelModel, stockId } from './stock.model';

/**
 * The catalogue as the database holds it at this moment, for checkout,
 * which must not trust the read model (it lags by up to a poll). Each read
 * is one lookup by `_id`; a cart has few lines.
 */
export async function readProductsLive(ids: readonly string[]) {
  const valid = [...new Set(ids)].filter((id) => Types.ObjectId.isValid(id));
  const docs = await Promise.all(
    valid.map((id) =>
      ProductModel.findById(id, { coop: 1, slug: 1, category: 1, name: 1, variants: 1, ivaRate: 1, published: 1, archived: 1 }).lean(),
    ),
  );
  return docs.filter((d): d is NonNullable<typeof d> => !!d);
}

/** Units on hand of each (product, sku), 0 for a variant with no stock document. */
export async function readOnHandLive(items: readonly { productId: string; sku: string }[]): Promise<number[]> {
  const levels = await Promise.all(items.map((i) => StockLevelModel.findById(stockId(i.productId, i.sku), { onHand: 1 }).lean()));
  return levels.map((l) => l?.onHand ?? 0);
}
