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
  const rates = [...gross.keys()].sort((a, b) => a - b);
  if (shippingCents > 0) {
    if (!rates.length) {
      gross.set(STANDARD_RATE, shippingCents);
      rates.push(STANDARD_RATE);
    } else {
      const parts = allocate(shippingCents, rates.map((r) => gross.get(r)!));
      rates.forEach((r, i) => gross.set(r, gross.get(r)! + parts[i]!));
    }
  }
  return rates.map((rate) => {
    const total = gross.get(rate)!;
    const taxCents = ivaIncluded(total, rate);
    return { rate, baseCents: total - taxCents, taxCents };
  });
}

/** The IVA of several sellers (a cart, an order), per rate: each seller's own tax, added up. */
export function sumIva(sellers: IvaPart[][]): { rate: number; cents: number }[] {
  const byRate = new Map<number, number>();
  for (const parts of sellers) for (const p of parts) byRate.set(p.rate, (byRate.get(p.rate) ?? 0) + p.taxCents);
  return [...byRate.entries()].sort((a, b) => a[0] - b[0]).map(([rate, cents]) => ({ rate, cents }));
}
