import { allocate, basisPoints } from '../platform/money';

/**
 * The pure arithmetic of discounts: which lines a promotion reaches, what
 * it takes off each line and each co-op's shipping, and what each co-op
 * share is then owed. No database, no clock: given the same cart and the
 * same promotions it always gives the same cents.
 */

export type Funder = { kind: 'platform' } | { kind: 'coop'; coopId: string };

export type Scope =
  | { kind: 'all' }
  | { kind: 'department'; department: string }
  | { kind: 'coop'; coopId: string }
  | { kind: 'products'; productIds: string[] };

export type Value = { kind: 'percent'; bps: number } | { kind: 'fixed'; cents: number } | { kind: 'free_shipping'; coopId: string };

/** A promotion as pricing sees it (already found valid by date and limits). */
export interface PricedPromotion {
  id: string;
  /** The code the buyer typed, upper-case; null for an automatic promotion. */
  code: string | null;
  name: string;
  funder: Funder;
  scope: Scope;
  value: Value;
  minBasketCents: number;
  /** An automatic promotion that applies on top of a code (or of another automatic one). */
  stackable: boolean;
}

export interface PricingLine {
  key: string;
  productId: string;
  coopId: string;
  department: string;
  lineCents: number;
}

export interface PricingGroup {
  coopId: string;
  lines: PricingLine[];
  shippingCents: number;
}

/** One promotion's part of one line or one co-op's shipping. */
export interface DiscountPart {
  promotion: string;
  code: string | null;
  name: string;
  funder: 'platform' | 'coop';
  cents: number;
}

export interface GroupDiscount {
  coopId: string;
  /** Off the co-op's goods, by who gives it. */
  goodsCoopCents: number;
  goodsPlatformCents: number;
  /** Off its shipping, by who gives it. */
  shippingCoopCents: number;
  shippingPlatformCents: number;
  shipping: DiscountPart[];
}

export interface PromotionResult {
  /** Per line key: what each promotion takes off it (never more than the line's price, all together). */
  lines: Map<string, DiscountPart[]>;
  groups: Map<string, GroupDiscount>;
  /** The promotions that took something off, in the order they were applied, with their total. */
  applied: { promotion: PricedPromotion; cents: number }[];
  /** The code's promotion when it reaches nothing or the basket is below its minimum. */
  codeNotEligible: 'not_eligible' | 'below_minimum' | null;
  totalCents: number;
}

/** Does the promotion reach this line? A co-op's own promotion reaches only that co-op's goods, whatever its scope says. */
export function reaches(p: Pick<PricedPromotion, 'funder' | 'scope'>, line: PricingLine): boolean {
  if (p.funder.kind === 'coop' && line.coopId !== p.funder.coopId) return false;
  switch (p.scope.kind) {
    case 'all':
      return true;
    case 'department':
      return line.department === p.scope.department;
    case 'coop':
      return line.coopId === p.scope.coopId;
    case 'products':
      return p.scope.productIds.includes(line.productId);
  }
}

/**
 * Applies promotions to a priced cart, in order: the code's promotion
 * first, then the automatic ones. Without a code the automatic promotion
 * that gives most applies (the first on a tie), plus those marked
 * stackable; with a code only the stackable automatic ones join it.
 *
 * Each promotion works on what is left of each line after the ones before
 * it: a percentage is taken off the lines it reaches (rounded half up on
 * their sum), a fixed amount up to what is left of them; the total is then
 * split over those lines in proportion to what is left of each, by the
 * largest remainder (`allocate`: ties go to the earlier line), so the parts
 * add up exactly and none passes what is left of its line. Free shipping
 * takes off one co-op's shipping. The minimum basket is the goods the
 * promotion reaches, at their price before any discount.
 */
export function applyPromotions(groups: PricingGroup[], code: PricedPromotion | null, automatic: PricedPromotion[]): PromotionResult {
  const lines = groups.flatMap((g) => g.lines);
  const left = new Map(lines.map((l) => [l.key, l.lineCents]));
  const shippingLeft = new Map(groups.map((g) => [g.coopId, g.shippingCents]));
  const result: PromotionResult = {
    lines: new Map(lines.map((l) => [l.key, []])),
    groups: new Map(
      groups.map((g) => [
        g.coopId,
        { coopId: g.coopId, goodsCoopCents: 0, goodsPlatformCents: 0, shippingCoopCents: 0, shippingPlatformCents: 0, shipping: [] },
      ]),
    ),
    applied: [],
    codeNotEligible: null,
    totalCents: 0,
  };

  /** What the promotion would take off, per line key and per co-op shipping, from what is left now (nothing written). */
  const plan = (p: PricedPromotion): { lines: [string, number][]; shipping: [string, number][] } | 'not_eligible' | 'below_minimum' => {
    const reached = lines.filter((l) => reaches(p, l));
    if (p.value.kind === 'free_shipping') {
      const coopId = p.value.coopId;
      if (p.funder.kind === 'coop' && p.funder.coopId !== coopId) return 'not_eligible';
      const own = reached.filter((l) => l.coopId === coopId);
      if (!own.length) return 'not_eligible';
      if (own.reduce((n, l) => n + l.lineCents, 0) < p.minBasketCents) return 'below_minimum';
      const cents = shippingLeft.get(coopId) ?? 0;
      return { lines: [], shipping: cents > 0 ? [[coopId, cents]] : [] };
    }
    if (!reached.length) return 'not_eligible';
    if (reached.reduce((n, l) => n + l.lineCents, 0) < p.minBasketCents) return 'below_minimum';
    const weights = reached.map((l) => left.get(l.key)!);
    const base = weights.reduce((a, b) => a + b, 0);
    const total = Math.min(base, p.value.kind === 'percent' ? basisPoints(base, p.value.bps) : p.value.cents);
    const parts = allocate(total, weights);
    return { lines: reached.map((l, i) => [l.key, parts[i]!] as [string, number]).filter(([, c]) => c > 0), shipping: [] };
  };

  const amountOf = (x: ReturnType<typeof plan>) => (typeof x === 'string' ? 0 : [...x.lines, ...x.shipping].reduce((n, [, c]) => n + c, 0));

  const apply = (p: PricedPromotion) => {
    const x = plan(p);
    if (typeof x === 'string') return x;
    // Nothing left to take off (the lines it reaches are free already, or there is no shipping): it does not apply.
    if (amountOf(x) === 0) return 'not_eligible';
    const funder = p.funder.kind;
    const part = (cents: number): DiscountPart => ({ promotion: p.id, code: p.code, name: p.name, funder, cents });
    const byKey = new Map(lines.map((l) => [l.key, l]));
    for (const [key, cents] of x.lines) {
      left.set(key, left.get(key)! - cents);
      result.lines.get(key)!.push(part(cents));
      const g = result.groups.get(byKey.get(key)!.coopId)!;
      if (funder === 'coop') g.goodsCoopCents += cents;
      else g.goodsPlatformCents += cents;
    }
    for (const [coopId, cents] of x.shipping) {
      shippingLeft.set(coopId, shippingLeft.get(coopId)! - cents);
      const g = result.groups.get(coopId)!;
      g.shipping.push(part(cents));
      if (funder === 'coop') g.shippingCoopCents += cents;
      else g.shippingPlatformCents += cents;
    }
    const cents = amountOf(x);
    result.applied.push({ promotion: p, cents });
    result.totalCents += cents;
    return null;
  };

  if (code) {
    const refused = apply(code);
    if (refused) result.codeNotEligible = refused;
  }
  const sorted = [...automatic].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (!code) {
    // The one automatic promotion that gives most (computed on the cart as it is), before the stackable ones.
    let best: PricedPromotion | null = null;
    let bestCents = 0;
    for (const p of sorted.filter((a) => !a.stackable)) {
      const cents = amountOf(plan(p));
      if (cents > bestCents) [best, bestCents] = [p, cents];
    }
    if (best) apply(best);
  }
  for (const p of sorted.filter((a) => a.stackable)) apply(p);
  return result;
}

/** What one co-op's share owes and is owed once its discounts are known. */
export interface ShareMoney {
  discountCents: number;
  coopDiscountCents: number;
  platformDiscountCents: number;
  shippingDiscountCents: number;
  /** What the buyer pays for this co-op's part. */
  paidCents: number;
  commissionCents: number;
  netCents: number;
  /** What the platform keeps of this share: commission less what it gave; may be negative. */
  platformCents: number;
}

/**
 * The split of one co-op's part. The commission is on the goods at the
 * price the co-op sold them for (after its own discounts, before the
 * platform's): a discount the platform gives comes out of the platform's
 * commission and never out of the co-op's money, and a co-op that gives
 * a discount pays commission only on what it charged.
 *   net = goods + shipping − the co-op's discounts − commission
 *   paid = net + commission − the platform's discounts
 */
export function shareMoney(
  subtotalCents: number,
  shippingCents: number,
  commissionBps: number,
  d: Pick<GroupDiscount, 'goodsCoopCents' | 'goodsPlatformCents' | 'shippingCoopCents' | 'shippingPlatformCents'>,
): ShareMoney {
  const coopDiscountCents = d.goodsCoopCents + d.shippingCoopCents;
  const platformDiscountCents = d.goodsPlatformCents + d.shippingPlatformCents;
  const commissionCents = basisPoints(subtotalCents - d.goodsCoopCents, commissionBps);
  const netCents = subtotalCents + shippingCents - coopDiscountCents - commissionCents;
  return {
    discountCents: coopDiscountCents + platformDiscountCents,
    coopDiscountCents,
    platformDiscountCents,
    shippingDiscountCents: d.shippingCoopCents + d.shippingPlatformCents,
    paidCents: subtotalCents + shippingCents - coopDiscountCents - platformDiscountCents,
    commissionCents,
    netCents,
    platformCents: commissionCents - platformDiscountCents,
  };
}

/** Normalises what a buyer typed into a code: trimmed, inner spaces gone, upper-case. */
export function normaliseCode(raw: string): string {
  return raw.replace(/\s+/g, '').toUpperCase();
}
