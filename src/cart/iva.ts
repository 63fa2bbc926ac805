import { allocate, ivaIncluded } from '../platform/money';

/** One rate of a seller's IVA: the taxable base and the tax, in cents, which add up to what the buyer paid at that rate. */
export interface IvaPart {
  rate: number;
  baseCents: number;
  taxCents: number;
}

/** Shipping with no goods to follow (never happens at checkout: a co-op's part has goods) is taxed at the standard rate. */
const STANDARD_RATE = 22;

/**
 * One seller's IVA on its goods and their shipping, per rate. Prices
 * include IVA. Shipping is an accessory supply and follows the goods it
 * carries (art. 12 DPR 633/72): at their rate, or, with goods at mixed
 * rates, split over the rates in proportion to the goods' amounts
 * (`allocate`, so the parts add up to the shipping to the cent). Per rate
 * the gross is summed first and the IVA taken out once; base + tax of all
 * rates is exactly goods + shipping.
 *
 * Each co-op is the seller of its own goods, so this runs once per co-op
 * share, never on a whole order.
 */
export function ivaBreakdown(goods: { rate: number; cents: number }[], shippingCents: number): IvaPart[] {
  const gross = new Map<number, number>();
  for (const g of goods) if (g.cents > 0) gross.set(g.rate, (gross.get(g.rate) ?? 0) + g.cents);
  for (const [rate, cents] of splitOverRates(gross, shippingCents)) gross.set(rate, (gross.get(rate) ?? 0) + cents);
  return [...gross.keys()]
    .sort((a, b) => a - b)
    .map((rate) => {
      const total = gross.get(rate)!;
      const taxCents = ivaIncluded(total, rate);
      return { rate, baseCents: total - taxCents, taxCents };
    });
}

/**
 * Splits cents that follow the goods (shipping, or a refund of it) over
 * the seller's rates in proportion to its goods at each rate (`goods`:
 * rate → gross cents), lowest rate first for ties, so the parts add up
 * exactly. The one place this split is made: receipts and refunds must
 * split the same shipping the same way.
 */
export function splitOverRates(goods: Map<number, number>, cents: number): Map<number, number> {
  if (cents <= 0) return new Map();
  const rates = [...goods.keys()].filter((r) => goods.get(r)! > 0).sort((a, b) => a - b);
  if (!rates.length) return new Map([[STANDARD_RATE, cents]]);
  const parts = allocate(
    cents,
    rates.map((r) => goods.get(r)!),
  );
  return new Map(rates.map((r, i) => [r, parts[i]!]));
}

/** The IVA of several sellers (a cart, an order), per rate: each seller's own tax, added up. */
export function sumIva(sellers: IvaPart[][]): { rate: number; cents: number }[] {
  const byRate = new Map<number, number>();
  for (const parts of sellers) for (const p of parts) byRate.set(p.rate, (byRate.get(p.rate) ?? 0) + p.taxCents);
  return [...byRate.entries()].sort((a, b) => a[0] - b[0]).map(([rate, cents]) => ({ rate, cents }));
}
