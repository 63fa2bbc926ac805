import mongoose, { Schema } from 'mongoose';

/**
 * A bulk price and stock update read from a CSV file, waiting for the
 * member to confirm it. Kept in a small document keyed by a random id (not
 * in the session), removed by a periodic job after a day.
 */
export interface GoodsImportRow {
  line: number;
  slug: string;
  sku: string;
  product?: string;
  priceCents?: number;
  stock?: number;
  /** The stock on hand when the preview was made; applying adds stock − stockSeen. */
  stockSeen?: number;
  oldPriceCents?: number;
  problems: string[];
}

export interface GoodsImport {
  _id: string;
  coop: mongoose.Types.ObjectId;
  user: mongoose.Types.ObjectId;
  rows: GoodsImportRow[];
  createdAt: Date;
  appliedAt?: Date;
}

const rowSchema = new Schema<GoodsImportRow>(
  {
    line: Number,
    slug: String,
    sku: String,
    product: String,
    priceCents: Number,
    stock: Number,
    stockSeen: Number,
    oldPriceCents: Number,
    problems: [String],
  },
  { _id: false },
);

const importSchema = new Schema<GoodsImport>(
  {
    _id: { type: String, required: true },
    coop: { type: Schema.Types.ObjectId, ref: 'Coop', required: true },
    user: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    rows: { type: [rowSchema], default: [] },
    createdAt: { type: Date, required: true },
    appliedAt: Date,
  },
  { collection: 'goods_imports', versionKey: false },
);
importSchema.index({ createdAt: 1 });

export const GoodsImportModel = mongoose.model<GoodsImport>('GoodsImport', importSchema);

/**
 * One document per applied import: inserting it is the once-only claim
 * (a unique insert is atomic: see platform/db.ts), so a second "apply"
 * of the same preview, even from another process, changes nothing.
 */
const claimSchema = new Schema<{ _id: string; at: Date }>(
  { _id: { type: String, required: true }, at: { type: Date, required: true } },
  { collection: 'goods_import_claims', versionKey: false },
);
export const GoodsImportClaimModel = mongoose.model('GoodsImportClaim', claimSchema);
