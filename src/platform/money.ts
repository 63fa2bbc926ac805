import type { Locale } from './i18n';

/** Money is always integer cents with a currency; Filiera trades in euro. */
export const CURRENCY = 'EUR';

const formatters = new Map<string, Intl.NumberFormat>();

/** Formats integer cents for the locale: 1250 → "12,50 €" (it) or "€12.50" (en). */
export function formatMoney(cents: number, locale: Locale, currency = CURRENCY): string {
  const key = `${locale}:${currency}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale === 'it' ? 'it-IT' : 'en-IE', { style: 'currency', currency });
    formatters.set(key, f);
  }
  return f.format(cents / 100);
}

/**
 * The IVA contained in a price that includes it: price × rate / (100 + rate),
 * rounded half up to the cent. `ratePercent` is 4, 10 or 22.
 */
export function ivaIncluded(grossCents: number, ratePercent: number): number {
  return Math.round((grossCents * ratePercent) / (100 + ratePercent));
}

/** A share of an amount in basis points (1 bp = 0.01%), rounded half up to the cent. */
export function basisPoints(cents: number, bps: number): number {
  return Math.round((cents * bps) / 10_000);
}

/**
 * Splits `total` cents over `weights` in proportion, so the parts add up to
 * `total` exactly (largest remainder method; ties go to the earlier part).
 */
export function allocate(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum <= 0) return weights.map(() => 0);
  const raw = weights.map((w) => (total * w) / sum);
  const parts = raw.map(Math.floor);
  let rest = total - parts.reduce((a, b) => a + b, 0);
  const order = raw.map((r, i) => ({ i, frac: r - Math.floor(r) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (const { i } of order) {
    if (rest <= 0) break;
    parts[i]! += 1;
    rest -= 1;
  }
  return parts;
}

/** Parses a user's "12,50" or "12.50" into cents; null when it is not a valid amount. */
export function parseMoney(input: string): number | null {
  const s = input.trim().replace(/\s|€/g, '');
  if (!/^\d{1,7}([.,]\d{1,2})?$/.test(s)) return null;
  const [units, frac = ''] = s.split(/[.,]/);
  return Number(units) * 100 + Number(frac.padEnd(2, '0'));
}
