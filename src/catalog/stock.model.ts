import mongoose, { Schema } from 'mongoose';

/** Units held for one order until it is paid (sold) or given back (released). */
export interface StockHold {
  /** Units held. */
  q: number;
  /** When the checkout that made the hold is over for sure (the periodic job gives it back then). */
  exp: Date;
  /** Set when the order was paid: the units stay out for good; the entry goes once the sale is recorded. */
  sold?: Date;
}

/**
 * A hold as stored in `holds.<orderId>`: "<q>:<exp ms>", and ":<sold ms>"
 * once sold. A string, not a sub-document, because a write may re-encode
 * the whole stock document (platform/db.ts) and a sub-document per hold made
 * each write of a busy item about 2.5 times slower (200 holds on one item:
 * about 1 s with sub-documents, 0.4 s with strings). Writes that change a
 * hold are guarded on the exact string they read.
 */
export const encodeHold = (h: StockHold): string => [h.q, h.exp.getTime(), ...(h.sold ? [h.sold.getTime()] : [])].join(':');
export function decodeHold(stored: string): StockHold {
  const [q = 0, exp = 0, sold] = stored.split(':').map(Number);
  return { q, exp: new Date(exp), ...(sold ? { sold: new Date(sold) } : {}) };
}

/**
 * Units on hand for one product variant, in a document of its own so that
 * checkouts changing stock never write back over an edit of the product.
 * `_id` is "<productId>:<sku>", so every read and write is an `_id` lookup.
 *
 * Only catalog/stock.service.ts writes it. `holds` (by order id) and
 * `restocked` (by refund line) live here, not in documents of their own,
 * so that moving units and recording why they moved are one atomic write:
 * no crash can leave one without the other.
 */
export interface StockLevel {
  _id: string;
  product: mongoose.Types.ObjectId;
  sku: string;
  /** Units free to sell (held units are already taken off). */
  onHand: number;
  /** Units held by order id, encoded (see encodeHold). */
  holds?: Record<string, string>;
  /** Refund lines whose units came back, with when in ms (keys: see restockForRefund). */
  restocked?: Record<string, number>;
  /** Counts the writes, so the levels that concurrent writes return can be put in order. */
  seq?: number;
  createdAt?: Date;
  updatedAt?: Date;
}

const stockSchema = new Schema<StockLevel>(
  {
    _id: { type: String, required: true },
    product: { type: Schema.Types.ObjectId, ref: 'Product', required: true },
    sku: { type: String, required: true },
    onHand: { type: Number, required: true, min: 0, validate: Number.isInteger },
    holds: { type: Map, of: String },
    restocked: { type: Map, of: Number },
    seq: Number,
  },
  { timestamps: true, collection: 'stock_levels', versionKey: false },
);
stockSchema.index({ product: 1 });

export const stockId = (productId: string | mongoose.Types.ObjectId, sku: string) => `${String(productId)}:${sku}`;
export const StockLevelModel = mongoose.model<StockLevel>('StockLevel', stockSchema);
