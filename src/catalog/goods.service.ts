import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { parse } from 'csv-parse/sync';
import { trusted } from '../platform/db';
import { AppError, conflict, notFound } from '../platform/errors';
import { parseMoney } from '../platform/money';
import { slugOf } from '../platform/text';
import type { FileStorage } from '../platform/storage';
import { ProductModel } from './product.model';
import { HeldGoods, goodsStampOf } from './goods-stamps';
/** The co-op's goods stamp (goods-stamps.ts): a page showing its goods is right while it has not moved. */
export { goodsStampOf };
import { StockLevelModel, stockId } from './stock.model';
import { adjustStock } from './stock.service';
import { DEPARTMENT_SLUGS, departmentOf } from './categories';
import { normalizeText } from './search-terms';
import { GoodsImportClaimModel, GoodsImportModel, type GoodsImportRow } from './goods-import.model';
import { StagedImageModel } from './staged-image.model';
import { removeProductImage, storeProductImage } from './images';
import { publishProblems, type GoodsInput } from './goods.schemas';
import { catalogChanged, stockChanged } from './read-model';
import { toCsv } from '../platform/csv';
import { expiryJob } from '../platform/expiry';
import type { Job } from '../platform/jobs';

/** The co-op a member acts for, as the workspace guard established it. */
export interface ActingCoop {
  id: string;
  name: string;
  status: string;
}

/**
 * Loads a product only if it belongs to `coop`: a product of another
 * co-op is "not found", so its existence is not revealed.
 */
async function ownProduct(coop: ActingCoop, productId: string) {
  if (!Types.ObjectId.isValid(productId)) throw notFound('product_not_found', 'No such product');
  const p = await ProductModel.findById(productId);
  if (!p || String(p.coop) !== coop.id) throw notFound('product_not_found', 'No such product');
  return p;
}

/** The co-op's goods for the workspace list, with the stock of each variant. */
export async function listGoods(coopId: string) {
  // The products are held per co-op while its goods stamp stands (goods-stamps.ts); the stock is read every time.
  const at = Date.now();
  const stamp = await goodsStampOf(coopId);
  let products = heldGoods.get(coopId, stamp);
  if (!products) {
    products = await readGoods(coopId);
    heldGoods.set(coopId, stamp, products, at);
  }
  const stock = await stockFor(products.flatMap((p) => p.variants.map((v) => stockId(p._id, v.sku))));
  return products.map((p) => ({
    ...p,
    id: String(p._id),
    stock: p.variants.reduce((n, v) => n + (stock.get(stockId(p._id, v.sku)) ?? 0), 0),
  }));
}

function readGoods(coopId: string) {
  return ProductModel.find(
    { coop: new Types.ObjectId(coopId) },
    { name: 1, slug: 1, priceCents: 1, published: 1, archived: 1, variants: 1, images: 1, category: 1, updatedAt: 1 },
  )
    .sort({ archived: 1, updatedAt: -1 })
    .lean();
}

/** Co-ops' goods as last read here; shared by the pages that show them, which only read them. */
const heldGoods = new HeldGoods<Awaited<ReturnType<typeof readGoods>>>();

async function stockFor(ids: string[]): Promise<Map<string, number>> {
  if (!ids.length) return new Map();
  // Several `_id` lookups: the one filter sure to reach an index.
  const levels = await StockLevelModel.find({ _id: trusted({ $in: ids }) }, { onHand: 1 }).lean();
  return new Map(levels.map((l) => [l._id, l.onHand]));
}

/** A product of the co-op with each variant's stock, for the edit form. */
export async function goodsForEdit(coop: ActingCoop, productId: string) {
  const p = (await ownProduct(coop, productId)).toObject();
  const stock = await stockFor(p.variants.map((v) => stockId(p._id, v.sku)));
  return { ...p, id: String(p._id), stockBySku: Object.fromEntries(p.variants.map((v) => [v.sku, stock.get(stockId(p._id, v.sku)) ?? 0])) };
}

function productFields(coop: ActingCoop, input: GoodsInput) {
  const name = { it: input.nameIt, en: input.nameEn };
  const description = { it: input.descriptionIt, en: input.descriptionEn };
  const prices = input.variants.map((v) => v.priceCents).filter((c) => c > 0);
  return {
    // A draft without a category yet files under the first department until one is chosen.
    department: input.category ? departmentOf(input.category) : DEPARTMENT_SLUGS[0],
    category: input.category || undefined,
    name,
    description,
    priceCents: prices.length ? Math.min(...prices) : 0,
    ivaRate: input.ivaRate,
    unit: input.unit,
    variants: input.variants.map((v) => ({
      sku: v.sku,
      label: { it: v.labelIt, en: v.labelEn },
      size: v.size,
      colour: v.colour,
      priceCents: v.priceCents,
    })),
    tags: input.tags,
    certifications: input.certifications,
    seasonMonths: input.seasonMonths,
    traceability: {
      lot: input.lot,
      date: input.tracedOn ? new Date(`${input.tracedOn}T00:00:00Z`) : undefined,
      place: input.place,
      materials: { it: input.materialsIt, en: input.materialsEn },
    },
    care: { it: input.careIt, en: input.careEn },
  };
}

/** A photo uploaded with the form, already checked and stored (`stageGoodsImage`), to add when the form saves. */
export interface StagedImage {
  key: string;
  widths: number[];
  alt: { it: string; en: string };
}

const MAX_IMAGES = 8;

/**
 * Goods can be put on sale only once an admin approved the co-op, and
 * only complete: a category, a price for every variant and at least one
 * photo (a buyer trusts what they can see). Drafts need none of it.
 */
function assertCanPublish(coop: ActingCoop, input: GoodsInput, photos: number) {
  if (!input.published) return;
  if (coop.status !== 'approved') throw new AppError('coop_not_approved', 'The co-op is not approved yet', 409);
  if (Object.keys(publishProblems(input)).length) throw new AppError('goods_incomplete', 'Category and prices are needed to publish', 422);
  if (photos < 1) throw new AppError('photo_required', 'A product needs a photo to go on sale', 422);
}

/**
 * Checks and stores a photo sent with the goods form before the product is
 * saved (the form may come back for a correction, or be a new product):
 * the caller keeps the result and hands it to `createGoods`/`updateGoods`.
 */
export async function stageGoodsImage(storage: FileStorage, data: Buffer, now = new Date()): Promise<{ key: string; widths: number[] }> {
  const image = await storeProductImage(storage, data);
  // Remembered until a product keeps it or the sweep removes it (a form never saved): see sweepStagedImages.
  await StagedImageModel.create({ _id: image.key, widths: image.widths, stagedAt: now });
  return image;
}

/** How long a photo sent with an unsaved goods form is kept for the member to come back to it. */
export const STAGED_IMAGE_KEEP_MS = 24 * 3_600_000;

/**
 * Removes the files of photos staged over STAGED_IMAGE_KEEP_MS ago that no
 * product kept (forms left unsaved), and forgets every such record.
 * Idempotent: removing a file twice, or a record already gone, is harmless.
 */
export async function sweepStagedImages(storage: FileStorage, now = new Date()): Promise<number> {
  const old = await StagedImageModel.find({ stagedAt: trusted({ $lt: new Date(now.getTime() - STAGED_IMAGE_KEEP_MS) }) }).lean();
  let removed = 0;
  for (const image of old) {
    if (!(await ProductModel.exists({ 'images.key': image._id }))) {
      await removeProductImage(storage, { key: image._id, widths: image.widths });
      removed++;
    }
    await StagedImageModel.deleteOne({ _id: image._id });
  }
  return removed;
}

async function freeProductSlug(name: string): Promise<string> {
  const base = slugOf(name, 'prodotto');
  return `${base}-${randomBytes(3).toString('hex')}`;
}

/**
 * Sets a variant's stock to what the member counted, through the stock
 * owner (stock.service.ts). It applies the difference between the new
 * count and the count the form showed (`seen`), not an absolute value:
 * units that checkouts held or sold in between stay taken, and edits made
 * at the same time all apply (each is one atomic `$inc`). Without `seen`
 * (a variant the form did not show) the level read now stands in for it.
 * Returns the units the member took off that were no longer free (sold or
 * held since the form was read): the level stops at zero and the caller
 * says so.
 */
export async function setStock(
  productId: Types.ObjectId | string,
  sku: string,
  target: number,
  seen: number | null | undefined,
): Promise<number> {
  const _id = stockId(productId, sku);
  const base = seen ?? (await StockLevelModel.findById(_id, { onHand: 1 }).lean())?.onHand ?? 0;
  const { short } = await adjustStock(_id, target - base, { product: new Types.ObjectId(String(productId)), sku });
  return short;
}

/** Creates a product for the co-op with its stock. Publishing needs an approved co-op. */
export async function createGoods(coop: ActingCoop, input: GoodsInput, images: StagedImage[] = []): Promise<string> {
  if (images.length > MAX_IMAGES) throw new AppError('too_many_images', 'At most 8 images', 422);
  assertCanPublish(coop, input, images.length);
  const product = await ProductModel.create({
    coop: new Types.ObjectId(coop.id),
    slug: await freeProductSlug(input.nameIt),
    published: input.published,
    images,
    ...productFields(coop, input),
  });
  for (const v of input.variants) await setStock(product._id, v.sku, v.stock, 0);
  await catalogChanged({ productIds: [String(product._id)] });
  return String(product._id);
}

/**
 * Saves the edit form: content, variants, prices and stock (as differences,
 * see setStock). Returns the units taken off that were no longer free.
 */
export async function updateGoods(coop: ActingCoop, productId: string, input: GoodsInput, images: StagedImage[] = []): Promise<number> {
  const product = await ownProduct(coop, productId);
  if (product.images.length + images.length > MAX_IMAGES) throw new AppError('too_many_images', 'At most 8 images', 422);
  // A product already on sale stays so while its co-op is paused; the other rules hold for every save that publishes.
  assertCanPublish(product.published ? { ...coop, status: 'approved' } : coop, input, product.images.length + images.length);
  for (const image of images) product.images.push(image);
  product.set({ ...productFields(coop, input), published: input.published && !product.archived });
  await product.save();
  let short = 0;
  for (const v of input.variants) short += await setStock(product._id, v.sku, v.stock, v.stockSeen);
  await catalogChanged({ productIds: [productId] });
  await stockChanged([productId]);
  return short;
}

/** A copy to start a similar product from: unpublished, no stock, same images. */
export async function duplicateGoods(coop: ActingCoop, productId: string): Promise<string> {
  const src = (await ownProduct(coop, productId)).toObject();
  const { _id, slug: _s, createdAt: _c, updatedAt: _u, ...rest } = src as typeof src & { createdAt?: Date; updatedAt?: Date };
  const name = { it: `${src.name?.it ?? ''} (copia)`, en: src.name?.en ? `${src.name.en} (copy)` : '' };
  const copy = await ProductModel.create({
    ...rest,
    slug: await freeProductSlug(src.name?.it ?? ''),
    name,
    published: false,
    archived: false,
  });
  for (const v of src.variants) await setStock(copy._id, v.sku, 0, 0);
  await catalogChanged({ productIds: [String(copy._id)] });
  return String(copy._id);
}

/** Archives (off sale, out of the list's way) or brings back a product. */
export async function setArchived(coop: ActingCoop, productId: string, archived: boolean): Promise<void> {
  const product = await ownProduct(coop, productId);
  product.set({ archived, ...(archived ? { published: false } : {}) });
  await product.save();
  await catalogChanged({ productIds: [productId] });
}

/** Adds an uploaded photo to a product after checking and re-encoding it (images.ts). */
export async function addGoodsImage(
  storage: FileStorage,
  coop: ActingCoop,
  productId: string,
  data: Buffer,
  alt: { it: string; en: string },
): Promise<void> {
  const product = await ownProduct(coop, productId);
  if (product.images.length >= MAX_IMAGES) throw new AppError('too_many_images', 'At most 8 images', 422);
  const stored = await storeProductImage(storage, data);
  product.images.push({ ...stored, alt });
  await product.save();
  await catalogChanged({ productIds: [productId] });
}

/** Removes a photo; its files go unless a duplicated product still shows them. */
export async function removeGoodsImage(storage: FileStorage, coop: ActingCoop, productId: string, key: string): Promise<void> {
  const product = await ownProduct(coop, productId);
  const image = product.images.find((i) => i.key === key);
  if (!image) throw notFound('image_not_found', 'No such image');
  // Images have no _id, so `pull({ key })` would match nothing: keep the others instead.
  product.set(
    'images',
    product.images.filter((i) => i.key !== key),
  );
  await product.save();
  await catalogChanged({ productIds: [productId] });
  const stillUsed = await ProductModel.exists({ 'images.key': key });
  if (!stillUsed) await removeProductImage(storage, { key, widths: image.widths });
}

/** Drops a photo the form stored but the member removed before saving (its files go unless a product shows them). */
export async function discardStagedImage(storage: FileStorage, image: { key: string; widths: number[] }): Promise<void> {
  if (await ProductModel.exists({ 'images.key': image.key })) return;
  await removeProductImage(storage, image);
  await StagedImageModel.deleteOne({ _id: image.key });
}

export const MAX_IMPORT_ROWS = 2000;

/**
 * Reads a CSV (columns product, sku, price, stock; comma or semicolon;
 * an empty price or stock leaves it as it is) into a preview with the
 * problems of each row. Nothing changes until `applyGoodsImport`.
 */
export async function previewGoodsImport(coop: ActingCoop, userId: string, data: Buffer): Promise<string> {
  let records: Record<string, string>[];
  try {
    const text = data.toString('utf8');
    const delimiter = (text.split('\n')[0] ?? '').includes(';') ? ';' : ',';
    records = parse(text, {
      columns: (h: string[]) => h.map((c) => normalizeText(c)),
      skip_empty_lines: true,
      trim: true,
      bom: true,
      delimiter,
      relax_column_count: true,
    });
  } catch (cause) {
    throw new AppError('csv_unreadable', 'Not a CSV file we can read', 422, { cause });
  }
  if (!records.length) throw new AppError('csv_empty', 'The file has no rows', 422);
  if (records.length > MAX_IMPORT_ROWS) throw new AppError('csv_too_long', 'Too many rows', 422);
  if (!('product' in records[0]! && 'sku' in records[0]!)) throw new AppError('csv_columns', 'Columns product and sku are needed', 422);

  const products = await ProductModel.find({ coop: new Types.ObjectId(coop.id) }, { slug: 1, variants: 1 }).lean();
  const bySlug = new Map(products.map((p) => [p.slug, p]));
  const stock = await stockFor(products.flatMap((p) => p.variants.map((v) => stockId(p._id, v.sku))));
  const seen = new Set<string>();
  const rows: GoodsImportRow[] = records.map((r, i) => {
    const row: GoodsImportRow = { line: i + 2, slug: (r.product ?? '').slice(0, 100), sku: (r.sku ?? '').slice(0, 40), problems: [] };
    const p = bySlug.get(row.slug);
    const v = p?.variants.find((x) => x.sku === row.sku);
    if (!p) row.problems.push('unknownProduct');
    else if (!v) row.problems.push('unknownSku');
    else {
      row.product = String(p._id);
      row.oldPriceCents = v.priceCents;
      row.stockSeen = stock.get(stockId(p._id, v.sku)) ?? 0;
    }
    if (seen.has(`${row.slug}:${row.sku}`)) row.problems.push('duplicateRow');
    seen.add(`${row.slug}:${row.sku}`);
    const price = (r.price ?? '').trim();
    if (price) {
      const cents = parseMoney(price);
      if (!cents) row.problems.push('badPrice');
      else row.priceCents = cents;
    }
    const units = (r.stock ?? '').trim();
    if (units) {
      if (!/^\d{1,6}$/.test(units)) row.problems.push('badStock');
      else row.stock = Number(units);
    }
    if (!price && !units && !row.problems.length) row.problems.push('nothingToChange');
    return row;
  });
  const id = randomBytes(16).toString('hex');
  await GoodsImportModel.create({
    _id: id,
    coop: new Types.ObjectId(coop.id),
    user: new Types.ObjectId(userId),
    rows,
    createdAt: new Date(),
  });
  return id;
}

/** A preview of the co-op's own import, or not found. */
export async function goodsImport(coop: ActingCoop, importId: string) {
  const doc = await GoodsImportModel.findById(importId).lean();
  if (!doc || String(doc.coop) !== coop.id) throw notFound('import_not_found', 'No such import');
  return doc;
}

/**
 * Applies the rows without problems, once: the first call inserts the
 * import's claim document; a second call (a double click, a reload, another
 * process) finds the claim and changes nothing. Returns the rows applied
 * and the units taken off that were no longer free (see setStock).
 */
export async function applyGoodsImport(coop: ActingCoop, importId: string): Promise<{ count: number; short: number }> {
  const doc = await goodsImport(coop, importId);
  try {
    await GoodsImportClaimModel.create({ _id: importId, at: new Date() });
  } catch (err) {
    if ((err as { code?: number }).code === 11000) throw conflict('import_already_applied', 'This import was already applied');
    throw err;
  }
  const good = doc.rows.filter((r) => !r.problems.length && r.product);
  let short = 0;
  const byProduct = new Map<string, GoodsImportRow[]>();
  for (const r of good) byProduct.set(r.product!, [...(byProduct.get(r.product!) ?? []), r]);
  for (const [productId, rows] of byProduct) {
    const product = await ownProduct(coop, productId).catch(() => null);
    if (!product) continue;
    const prices = rows.filter((r) => r.priceCents !== undefined);
    if (prices.length) {
      for (const r of prices) {
        const v = product.variants.find((x) => x.sku === r.sku);
        if (v) v.priceCents = r.priceCents!;
      }
      product.priceCents = Math.min(...product.variants.map((v) => v.priceCents));
      await product.save();
    }
    for (const r of rows) if (r.stock !== undefined) short += await setStock(product._id, r.sku, r.stock, r.stockSeen);
  }
  await GoodsImportModel.updateOne({ _id: importId }, { $set: { appliedAt: new Date() } });
  await catalogChanged({ productIds: [...byProduct.keys()] });
  await stockChanged([...byProduct.keys()]);
  return { count: good.length, short };
}

/**
 * Import previews expire a day after they were made, and the claims of
 * applied ones a day after they were applied (by then their preview is
 * gone, so applying it again is "not found" either way).
 */
export const goodsImportJobs = (): Job[] => [
  expiryJob({ name: 'goods-imports', model: GoodsImportModel, field: 'createdAt', afterMs: 24 * 3_600_000, everyMs: 3_600_000 }),
  expiryJob({ name: 'goods-import-claims', model: GoodsImportClaimModel, field: 'at', afterMs: 24 * 3_600_000, everyMs: 3_600_000 }),
];

/** The co-op's variants as a CSV to edit and upload again. */
export async function goodsCsv(coopId: string): Promise<string> {
  const products = await ProductModel.find({ coop: new Types.ObjectId(coopId), archived: false }, { slug: 1, name: 1, variants: 1 }).lean();
  const stock = await stockFor(products.flatMap((p) => p.variants.map((v) => stockId(p._id, v.sku))));
  const rows = products.flatMap((p) =>
    p.variants.map((v) => [p.slug, v.sku, p.name?.it ?? '', (v.priceCents / 100).toFixed(2), stock.get(stockId(p._id, v.sku)) ?? 0]),
  );
  return toCsv(['product', 'sku', 'name', 'price', 'stock'], rows);
}

/** At or below this many units a variant on sale counts as running low. */
export const LOW_STOCK_UNITS = 3;

/**
 * The co-op's goods at a glance: how many are on sale and in draft, and how
 * many variants on sale are running low (at most `atMost` units left, sold
 * out included). One read of the co-op's products, one of their stock levels
 * by `_id`: the workspace home shows it on every visit.
 */
export async function goodsAtAGlance(
  coopId: string,
  atMost = LOW_STOCK_UNITS,
): Promise<{ published: number; drafts: number; lowStock: number }> {
  const products = await ProductModel.find({ coop: new Types.ObjectId(coopId), archived: false }, { published: 1, variants: 1 }).lean();
  const onSale = products.filter((p) => p.published);
  const ids = onSale.flatMap((p) => p.variants.map((v) => stockId(p._id, v.sku)));
  const stock = await stockFor(ids);
  return {
    published: onSale.length,
    drafts: products.length - onSale.length,
    lowStock: ids.filter((id) => (stock.get(id) ?? 0) <= atMost).length,
  };
}
