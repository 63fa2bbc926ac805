import mongoose, { Types } from 'mongoose';
import { countReview } from '../src/catalog';
import { ProductModel } from '../src/catalog/product.model';
import { ReviewModel } from '../src/reviews/review.model';

/** Reviews per reviewed product: two pages' worth is more than most products will ever have. */
export const REVIEWS_PER_PRODUCT = 12;

const TITLES = ['Ottimo', 'Buono, ma caro', 'Come descritto', 'Lo ricomprerei', 'Arrivato in ritardo', 'Eccellente qualità'];
const BODIES = [
  'Prodotto genuino, si sente la cura di chi lo fa. Spedizione veloce e imballo curato.',
  'Buono, anche se mi aspettavo un sapore più deciso. Lo consiglio comunque.',
  'Tutto come descritto nella scheda. La cooperativa ha risposto subito a una domanda.',
];

/**
 * Gives each of `slugs` REVIEWS_PER_PRODUCT published reviews of varied
 * stars, counted in the product's and co-op's summaries as the reviews
 * feature counts them (catalog's countReview), so product pages show the
 * average, the distribution and the first page of reviews.
 */
export async function seedReviews(slugs: string[]): Promise<number> {
  const products = await ProductModel.find({ slug: mongoose.trusted({ $in: slugs }) }, { coop: 1, name: 1 }).lean();
  const reviews = products.flatMap((p, i) =>
    Array.from({ length: REVIEWS_PER_PRODUCT }, (_, k) => {
      const order = new Types.ObjectId();
      return {
        _id: `${String(order)}-${String(p._id)}`,
        order,
        product: p._id,
        coop: p.coop,
        productName: { it: p.name?.it ?? '', en: p.name?.en ?? '' },
        author: { user: null, email: `bench-${i}-${k}@example.test`, locale: 'it' as const },
        displayName: k % 4 === 0 ? '' : `Cliente ${String.fromCharCode(65 + (k % 26))}.`,
        anonymous: k % 4 === 0,
        stars: 1 + ((i + k * 3) % 5),
        title: TITLES[k % TITLES.length]!,
        body: BODIES[k % BODIES.length]!,
        purchasedAt: new Date(Date.now() - (k + 1) * 86_400_000 * 9),
        helpful: (k * 7) % 5,
        dirty: false,
      };
    }),
  );
  for (let i = 0; i < reviews.length; i += 500) await ReviewModel.insertMany(reviews.slice(i, i + 500), { ordered: false });
  const queue = [...reviews];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let r = queue.shift(); r; r = queue.shift())
        await countReview({ reviewId: r._id, productId: String(r.product), coopId: String(r.coop), version: 1, stars: r.stars });
    }),
  );
  return reviews.length;
}
