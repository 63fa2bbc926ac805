import mongoose, { Schema, Types } from 'mongoose';
import type { Collection, Filter, UpdateFilter } from 'mongodb';
import { isDuplicateKey } from '../platform/claims';
import { ProductModel } from './product.model';
import { ratingFields } from './rating-fields';

/**
 * Star ratings: how many reviews, the sum of their stars and how many gave
 * each number of stars. A product's summary lives on its own document (the
 * read model carries it to listings and the product page); a co-op's lives
 * in a small `ratings` document of its own (`_id` "coop:<id>"). Only the
 * reviews feature writes them, through `countReview` below; nothing
 * computes them per page.
 *
 * Each review's part is recorded in the same write that changes the totals
 * (`rated.<reviewId>` = version × 8 + stars counted, 0 stars meaning "not
 * counted": hidden or deleted), and that write is guarded on the part read
 * before it. So a change applied twice (a retry after a crash), two
 * changes racing, or an older change arriving after a newer one leave the
 * totals exact: each review's newest version is counted once.
 */
export interface RatingSummary {
  count: number;
  sum: number;
  /** How many reviews gave 1, 2, 3, 4 and 5 stars. */
  stars: [number, number, number, number, number];
}

export const EMPTY_RATING: RatingSummary = { count: 0, sum: 0, stars: [0, 0, 0, 0, 0] };

/** The stored shape (rating-fields.ts). */
export interface StoredRating {
  count: number;
  sum: number;
  s1: number;
  s2: number;
  s3: number;
  s4: number;
  s5: number;
}

/** A stored summary (or none) as a RatingSummary. */
export function toRating(r: Partial<StoredRating> | null | undefined): RatingSummary {
  if (!r) return { ...EMPTY_RATING, stars: [0, 0, 0, 0, 0] };
  return { count: r.count ?? 0, sum: r.sum ?? 0, stars: [r.s1 ?? 0, r.s2 ?? 0, r.s3 ?? 0, r.s4 ?? 0, r.s5 ?? 0] };
}

/** The average to one decimal (4.3), or 0 with no reviews. */
export const averageOf = (r: RatingSummary): number => (r.count ? Math.round((r.sum / r.count) * 10) / 10 : 0);

interface CoopRating extends StoredRating {
  _id: string;
  rated?: Record<string, number>;
}

const CoopRatingModel = mongoose.model<CoopRating>(
  'CoopRating',
  new Schema<CoopRating>({ _id: String, ...ratingFields, rated: { type: Map, of: Number } }, { collection: 'ratings', versionKey: false }),
);

const coopKey = (coopId: string) => `coop:${coopId}`;

/** A co-op's overall rating (one read by `_id`). */
export async function coopRating(coopId: string): Promise<RatingSummary> {
  const doc = await CoopRatingModel.findById(coopKey(coopId), { count: 1, sum: 1, s1: 1, s2: 1, s3: 1, s4: 1, s5: 1 }).lean();
  return toRating(doc);
}

/** How many times a write re-reads a part that changed under it before giving up. */
const ATTEMPTS = 20;

type Rated = { _id: unknown; rated?: Record<string, number> };

/**
 * Counts one review's `version` in a summary document: `stars` 1–5 when it
 * is shown, 0 when it is not (hidden, deleted). Does nothing when that
 * version, or a newer one, is counted already. Returns false when the
 * document is gone (a product deleted).
 */
async function countIn(
  collection: Collection<Rated>,
  id: unknown,
  reviewId: string,
  version: number,
  stars: number,
  prefix = '',
): Promise<boolean> {
  const key = `rated.${reviewId}`;
  for (let i = 0; i < ATTEMPTS; i++) {
    const doc = await collection.findOne({ _id: id } as Filter<Rated>, { projection: { [key]: 1 } });
    if (!doc) return false;
    const stored = doc.rated?.[reviewId];
    const before = stored === undefined ? { version: -1, stars: 0 } : { version: Math.floor(stored / 8), stars: stored % 8 };
    if (before.version >= version) return true;
    const inc: Record<string, number> = {};
    const add = (path: string, n: number) => (inc[prefix + path] = (inc[prefix + path] ?? 0) + n);
    if (before.stars) {
      add('count', -1);
      add('sum', -before.stars);
      add(`s${before.stars}`, -1);
    }
    if (stars) {
      add('count', 1);
      add('sum', stars);
      add(`s${stars}`, 1);
    }
    for (const [k, v] of Object.entries(inc)) if (v === 0) delete inc[k];
    const guard = stored === undefined ? { $exists: false } : stored;
    const update: UpdateFilter<Rated> = { $set: { [key]: version * 8 + stars } };
    if (Object.keys(inc).length) update.$inc = inc;
    const done = await collection.updateOne({ _id: id, [key]: guard } as Filter<Rated>, update);
    if (done.modifiedCount === 1) return true;
  }
  throw new Error(`rating of ${String(id)} kept changing under review ${reviewId}`);
}

/**
 * Counts a review's `version` in its product's and its co-op's summaries
 * (see the top of this file). Safe to run again and in any order; the
 * caller tells the catalogue afterwards (`catalogChanged({ productIds })`),
 * so listings, product pages and the kept pages show it.
 */
export async function countReview(input: {
  reviewId: string;
  productId: string;
  coopId: string;
  version: number;
  /** 1–5 when the review is shown, 0 when not. */
  stars: number;
}): Promise<void> {
  if (!/^[\w-]+$/.test(input.reviewId)) throw new Error('a review id is letters, digits, - and _');
  const productId = new Types.ObjectId(input.productId);
  await countIn(ProductModel.collection as unknown as Collection<Rated>, productId, input.reviewId, input.version, input.stars, 'rating.');
  const id = coopKey(input.coopId);
  try {
    await CoopRatingModel.updateOne(
      { _id: id },
      { $setOnInsert: { count: 0, sum: 0, s1: 0, s2: 0, s3: 0, s4: 0, s5: 0 } },
      { upsert: true },
    );
  } catch (err) {
    // Two first reviews at once: the other made it.
    if (!isDuplicateKey(err)) throw err;
  }
  await countIn(CoopRatingModel.collection as unknown as Collection<Rated>, id, input.reviewId, input.version, input.stars);
}

/** A product's summary as stored (tests compare it with a recount). */
export async function productRating(productId: string): Promise<RatingSummary> {
  const doc = await ProductModel.findById(productId, { rating: 1 }).lean<{ rating?: StoredRating }>();
  return toRating(doc?.rating);
}
