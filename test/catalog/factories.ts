import { randomBytes } from 'node:crypto';
import { ProductModel } from '../../src/catalog/product.model';
import { StockLevelModel, stockId } from '../../src/catalog/stock.model';
import { departmentOf, type Category, type Certification } from '../../src/catalog/categories';
import { searchTermsFor } from '../../src/catalog/search-terms';

export const uniq = (): string => randomBytes(4).toString('hex');

export interface ProductInput {
  category?: Category;
  nameIt?: string;
  nameEn?: string;
  descIt?: string;
  priceCents?: number;
  stock?: number;
  certifications?: Certification[];
  seasonMonths?: number[];
  published?: boolean;
  archived?: boolean;
  createdAt?: Date;
  tags?: string[];
  variants?: { sku: string; priceCents: number; stock: number; it?: string; en?: string }[];
}

/** A published product of `coop` with its stock levels. */
export async function makeProduct(coop: { _id: unknown; name: string }, o: ProductInput = {}) {
  const id = uniq();
  const category = o.category ?? 'honey';
  const price = o.priceCents ?? 1000;
  const variants = o.variants ?? [{ sku: 'default', priceCents: price, stock: o.stock ?? 10 }];
  const name = { it: o.nameIt ?? `Prodotto ${id}`, en: o.nameEn ?? `Product ${id}` };
  const description = { it: o.descIt ?? 'Descrizione di prova.', en: 'A test description.' };
  const p = new ProductModel({
    coop: coop._id,
    department: departmentOf(category),
    category,
    slug: `prodotto-${id}`,
    name,
    description,
    priceCents: Math.min(...variants.map((v) => v.priceCents)),
    ivaRate: 10,
    unit: 'jar500g',
    variants: variants.map((v) => ({ sku: v.sku, priceCents: v.priceCents, label: { it: v.it ?? v.sku, en: v.en ?? v.sku } })),
    tags: o.tags ?? [],
    certifications: o.certifications ?? [],
    seasonMonths: o.seasonMonths ?? [],
    searchTerms: searchTermsFor([name.it, name.en, description.it, description.en, coop.name]),
    published: o.published ?? true,
    archived: o.archived ?? false,
    ...(o.createdAt ? { createdAt: o.createdAt } : {}),
  });
  await p.save();
  await StockLevelModel.insertMany(variants.map((v) => ({ _id: stockId(p._id, v.sku), product: p._id, sku: v.sku, onHand: v.stock })));
  return p;
}
