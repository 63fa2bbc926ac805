import { z } from 'zod';

/** Most units of one variant in a cart. */
export const MAX_QUANTITY = 99;

export const ProductIdField = z.string().regex(/^[a-f\d]{24}$/i);
export const SkuField = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/);

/**
 * Quantities arrive as strings from forms; only plain whole numbers are
 * accepted ("1.5", "1e9", "-1", "abc" and arrays are refused, not rounded).
 */
const quantity = (min: number) =>
  z
    .string()
    .trim()
    .regex(/^\d{1,3}$/)
    .transform(Number)
    .pipe(z.number().int().min(min).max(MAX_QUANTITY));

/** `POST /cart/items`: unknown keys (price, total, discount…) are dropped, never read. */
export const AddItemBody = z.object({
  productId: ProductIdField,
  sku: SkuField.default('default'),
  quantity: quantity(1).default(1),
});

/** 0 removes the line. */
export const SetQuantityBody = z.object({ quantity: quantity(0) });

/** A cart line's key in URLs: "<productId>:<sku>" (the stock item's id). */
export const KeyParam = z.string().regex(/^[a-f\d]{24}:[A-Za-z0-9._-]{1,64}$/i);

export const cartKey = (productId: string, sku: string) => `${productId}:${sku}`;
