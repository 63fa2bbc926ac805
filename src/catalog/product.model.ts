import { moveGoodsStamps } from './goods-stamps';
import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';
import { ratingFields } from './rating-fields';
import { CATEGORY_SLUGS, CERTIFICATIONS, DEPARTMENT_SLUGS, IVA_RATES, UNIT_CODES } from './categories';

const text = { it: { type: String, default: '' }, en: { type: String, default: '' } };

/**
 * One way a product is sold (size and colour for clothing, weight for
 * produce). A product without variants has one, sku "default". Its stock is
 * not here but in the small StockLevel document of its own (see stock.model.ts).
 */
const variantSchema = new Schema(
  {
    sku: { type: String, required: true },
    label: text,
    size: { type: String, default: '' },
    colour: { type: String, default: '' },
    /** 0 only in a draft not priced yet: publishing asks for a price. */
    priceCents: { type: Number, required: true, min: 0, validate: Number.isInteger },
  },
  { _id: false },
);

const imageSchema = new Schema(
  {
    /** Storage key; the served files are <key>-<width>.webp. */
    key: { type: String, required: true },
    widths: { type: [Number], default: [] },
    alt: text,
  },
  { _id: false },
);

const productSchema = new Schema(
  {
    coop: { type: Schema.Types.ObjectId, ref: 'Coop', required: true },
    department: { type: String, enum: DEPARTMENT_SLUGS, required: true },
    /** A draft may not have one yet; a product on sale always has (publishing asks for it). */
    category: {
      type: String,
      enum: CATEGORY_SLUGS,
      required(this: { published?: boolean }) {
        return !!this.published;
      },
    },
    slug: { type: String, required: true, unique: true, lowercase: true, trim: true },
    name: text,
    description: text,
    /** The lowest variant price, kept for listing and sorting (0 in a draft not priced yet). */
    priceCents: { type: Number, required: true, min: 0, validate: Number.isInteger },
    ivaRate: { type: Number, enum: IVA_RATES, required: true },
    unit: { type: String, enum: UNIT_CODES, default: 'piece' },
    variants: { type: [variantSchema], default: [] },
    images: { type: [imageSchema], default: [] },
    tags: { type: [String], default: [] },
    certifications: { type: [String], enum: CERTIFICATIONS, default: [] },
    traceability: {
      lot: { type: String, default: '' },
      date: Date,
      place: { type: String, default: '' },
      materials: text,
    },
    care: text,
    /** Months in season, 1–12; empty means all year. */
    seasonMonths: { type: [Number], default: [] },
    /** Its reviews' stars (catalog/ratings.ts); `rated` holds each review's counted part, written with them. */
    rating: ratingFields,
    rated: { type: Map, of: Number, select: false },
    published: { type: Boolean, default: false },
    archived: { type: Boolean, default: false },
  },
  { timestamps: true, collection: 'products' },
);
productSchema.index({ published: 1, department: 1, category: 1, createdAt: -1 });
productSchema.index({ published: 1, priceCents: 1 });
productSchema.index({ coop: 1, published: 1 });
// Listings sorted by rating (the read model keeps this order in memory; this serves a query of the database).
productSchema.index({ published: 1, 'rating.count': -1 });

// Every product written moves its co-op's goods stamp, which held goods lists check (goods-stamps.ts).
// The hooks catch every write through the model (the workspace's saves, imports, seeding, tests);
// the ratings' counters, written beside the model, change nothing the goods list shows.
productSchema.post('save', async function (doc) {
  await moveGoodsStamps([String(doc.coop)]);
});
productSchema.post('insertMany', async function (docs: unknown) {
  await moveGoodsStamps((docs as { coop: unknown }[]).map((d) => String(d.coop)));
});

export type Product = InferSchemaType<typeof productSchema> & { _id: Types.ObjectId };
export const ProductModel = mongoose.model('Product', productSchema);
