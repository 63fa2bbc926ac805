import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { ProductModel, type Product } from '../../src/catalog/product.model';
import { StockLevelModel, stockId } from '../../src/catalog/stock.model';
import { catalogChanged } from '../../src/catalog';

export const suffix = () => randomBytes(5).toString('hex');

/** A published product with one variant ("default") and `stock` units on hand. */
export async function makeProduct(coopId: Types.ObjectId, over: { priceCents?: number; ivaRate?: number; stock?: number; published?: boolean; sku?: string } = {}) {
  const s = suffix();
  const sku = over.sku ?? 'default';
  const priceCents = over.priceCents ?? 1000;
  const p = (await ProductModel.create({
    coop: coopId,
    department: 'produce',
    category: 'olive-oil',
    slug: `olio-${s}`,
    name: { it: `Olio ${s}`, en: `Oil ${s}` },
    priceCents,
    ivaRate: over.ivaRate ?? 4,
    variants: [{ sku, label: { it: '', en: '' }, priceCents }],
    published: over.published ?? true,
  } as Record<string, unknown>)) as unknown as Product;
  await StockLevelModel.create({ _id: stockId(p._id, sku), product: p._id, sku, onHand: over.stock ?? 20 });
  // The cart reads the catalogue's in-memory model, as the shop does after an edit.
  await catalogChanged();
  return p;
}

export async function onHand(productId: Types.ObjectId, sku = 'default'): Promise<number> {
  return (await StockLevelModel.findById(stockId(productId, sku)).lean())?.onHand ?? -1;
}
