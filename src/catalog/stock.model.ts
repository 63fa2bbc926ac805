import mongoose, { Schema } from 'mongoose';

/**
 * Units on hand for one product variant, in a document of its own so that
 * checkouts changing stock never write back over an edit of the product
 * (FerretDB writes whole documents back). `_id` is "<productId>:<sku>", so
 * every read and write is an `_id` lookup.
 */
export interface StockLevel {
  _id: string;
  product: mongoose.Types.ObjectId;
  sku: string;
  onHand: number;
  createdAt?: Date;
  updatedAt?: Date;
}

const stockSchema = new Schema<StockLevel>(
  {
    _id: { type: String, required: true },
    product: { type: Schema.Types.ObjectId, ref: 'Product', required: true },
    sku: { type: String, required: true },
    onHand: { type: Number, required: true, min: 0, validate: Number.isInteger },
  },
  { timestamps: true, collection: 'stock_levels', versionKey: false },
);
stockSchema.index({ product: 1 });

export const stockId = (productId: string | mongoose.Types.ObjectId, sku: string) => `${String(productId)}:${sku}`;
export const StockLevelModel = mongoose.model<StockLevel>('StockLevel', stockSchema);
