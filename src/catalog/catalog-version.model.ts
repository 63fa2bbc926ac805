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
