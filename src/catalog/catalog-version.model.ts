import mongoose, { Schema } from 'mongoose';

/**
 * A tiny document per kind of change ("catalog", "stock") whose `token`
 * changes on every edit. App processes poll it by `_id` (the one lookup
 * FerretDB indexes) and reload their in-memory catalogue when it moves.
 * A fresh random token per bump (never a counter) means two concurrent
 * bumps can't cancel each other out when FerretDB writes whole documents back.
 */
export interface CatalogVersion {
  _id: 'catalog' | 'stock';
  token: string;
}

const versionSchema = new Schema<CatalogVersion>(
  {
    _id: { type: String, required: true },
    token: { type: String, required: true },
  },
  { timestamps: true, collection: 'catalog_versions', versionKey: false },
);

export const CatalogVersionModel = mongoose.model<CatalogVersion>('CatalogVersion', versionSchema);

/**
 * One edit of a few products, so other processes can reload just those
 * (by `_id`) instead of the whole catalogue. The collection stays tiny: a
 * sweeper removes entries after ten minutes, and pollers read only the
 * last minute's.
 */
export interface CatalogChange {
  products: string[];
  at: Date;
}

const changeSchema = new Schema<CatalogChange>(
  {
    products: { type: [String], default: [] },
    at: { type: Date, required: true },
  },
  { collection: 'catalog_changes', versionKey: false },
);

export const CatalogChangeModel = mongoose.model<CatalogChange>('CatalogChange', changeSchema);
