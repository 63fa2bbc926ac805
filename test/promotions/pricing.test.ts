import assert from 'node:assert/strict';
import { applyPromotions, shareMoney, normaliseCode, type PricedPromotion, type PricingGroup } from '../../src/promotions';

const base = { minBasketCents: 0, stackable: false, scope: { kind: 'all' as const } };
const platform = (over: Partial<PricedPromotion>): PricedPromotion => ({
  ...base,
  id: 'p-platform',
  code: 'PLAT',
  name: 'Platform',
  funder: { kind: 'platform' },
  value: { kind: 'percent', bps: 1000 },
  ...over,
});
const coopPromo = (coopId: string, over: Partial<PricedPromotion>): PricedPromotion => ({
  ...base,
  id: `p-${coopId}`,
  code: 'COOP',
  name: 'Co-op',
  funder: { kind: 'coop', coopId },
  value: { kind: 'percent', bps: 1000 },
  ...over,
});
const line = (key: string, coopId: string, lineCents: number, department = 'produce') => ({
  key,
  productId: `prod-${key}`,
  coopId,
  department,
  lineCents,
});
/** Two co-ops: A with three awkward lines and shipping 690, B with one line and shipping 490. */
const cart = (): PricingGroup[] => [
  { coopId: 'A', shippingCents: 690, lines: [line('a1', 'A', 333), line('a2', 'A', 333), line('a3', 'A', 334, 'craft')] },
  { coopId: 'B', shippingCents: 490, lines: [line('b1', 'B', 1)] },
];
const cents = (r: ReturnType<typeof applyPromotions>, key: string) => (r.lines.get(key) ?? []).reduce((n, p) => n + p.cents, 0);

describe('promotions pricing (pure)', () => {
  it('normalises a typed code: spaces gone, upper-case', () => {
    assert.equal(normaliseCode('  harv est-10 '), 'HARVEST-10');
  });

  it('splits a fixed amount over the lines by the largest remainder, to the cent', () => {
    // 100 over 333/333/334/1 (1001): raw 33.27, 33.27, 33.37, 0.0999 → floors 33, 33, 33, 0 (99), the cent left to the largest fraction (a3).
    const r = applyPromotions(cart(), platform({ value: { kind: 'fixed', cents: 100 } }), []);
    assert.deepEqual(
      ['a1', 'a2', 'a3', 'b1'].map((k) => cents(r, k)),
      [33, 33, 34, 0],
    );
    assert.equal(r.totalCents, 100);
    assert.equal(r.groups.get('A')!.goodsPlatformCents, 100);
  });

  it('gives ties to the earlier line', () => {
    // 1 cent over two equal lines: both raw 0.5, the first gets it.
    const r = applyPromotions(
      [{ coopId: 'A', shippingCents: 0, lines: [line('x', 'A', 5), line('y', 'A', 5)] }],
      platform({ value: { kind: 'fixed', cents: 1 } }),
      [],
    );
    assert.deepEqual([cents(r, 'x'), cents(r, 'y')], [1, 0]);
  });

  it('rounds a percentage half up on the sum, then splits it', () => {
    // 33.33 % of 1001 = 333.63… → 334; split 111.11, 111.11, 111.44, 0.33 → 111, 111, 111, 0 (333) + 1 to the largest fraction (a3: .44).
    const r = applyPromotions(cart(), platform({ value: { kind: 'percent', bps: 3333 } }), []);
    assert.equal(r.totalCents, 334);
    assert.deepEqual(
      ['a1', 'a2', 'a3', 'b1'].map((k) => cents(r, k)),
      [111, 111, 112, 0],
    );
  });

  it('never takes more than a line is worth, even with a fixed amount above the basket', () => {
    const r = applyPromotions(cart(), platform({ value: { kind: 'fixed', cents: 5000 } }), []);
    assert.deepEqual(
      ['a1', 'a2', 'a3', 'b1'].map((k) => cents(r, k)),
      [333, 333, 334, 1],
    );
    assert.equal(r.totalCents, 1001);
  });

  it("keeps a co-op's own promotion on its own goods, whatever its scope says", () => {
    const r = applyPromotions(cart(), coopPromo('B', { value: { kind: 'percent', bps: 5000 } }), []);
    assert.deepEqual(
      ['a1', 'a2', 'a3', 'b1'].map((k) => cents(r, k)),
      [0, 0, 0, 1],
    );
    assert.equal(r.groups.get('B')!.goodsCoopCents, 1);
    assert.equal(r.groups.get('A')!.goodsCoopCents, 0);
  });

  it('reaches one department, one co-op or some products', () => {
    const dept = applyPromotions(
      cart(),
      platform({ scope: { kind: 'department', department: 'craft' }, value: { kind: 'fixed', cents: 50 } }),
      [],
    );
    assert.deepEqual([cents(dept, 'a1'), cents(dept, 'a3')], [0, 50]);
    const coop = applyPromotions(cart(), platform({ scope: { kind: 'coop', coopId: 'B' }, value: { kind: 'fixed', cents: 50 } }), []);
    assert.deepEqual([cents(coop, 'a1'), cents(coop, 'b1')], [0, 1]);
    const products = applyPromotions(cart(), platform({ scope: { kind: 'products', productIds: ['prod-a2'] } }), []);
    assert.deepEqual([cents(products, 'a1'), cents(products, 'a2')], [0, 33]);
  });

  it('refuses a code below its minimum basket or reaching nothing, and takes nothing off', () => {
    const low = applyPromotions(cart(), platform({ minBasketCents: 1002 }), []);
    assert.equal(low.codeNotEligible, 'below_minimum');
    assert.equal(low.totalCents, 0);
    const none = applyPromotions(cart(), platform({ scope: { kind: 'products', productIds: ['nope'] } }), []);
    assert.equal(none.codeNotEligible, 'not_eligible');
  });

  it('gives free shipping from one co-op, funded by it, and only on its shipping', () => {
    const free = coopPromo('A', { value: { kind: 'free_shipping', coopId: 'A' } });
    const r = applyPromotions(cart(), free, []);
    assert.equal(r.groups.get('A')!.shippingCoopCents, 690);
    assert.equal(r.groups.get('B')!.shippingCoopCents, 0);
    assert.equal(r.totalCents, 690);
    // A co-op cannot give another co-op's shipping away.
    assert.equal(
      applyPromotions(cart(), coopPromo('B', { value: { kind: 'free_shipping', coopId: 'A' } }), []).codeNotEligible,
      'not_eligible',
    );
  });

  it('stacks only automatic promotions marked so; without a code the best automatic one applies', () => {
    const autoBig = platform({ id: 'auto-big', code: null, value: { kind: 'fixed', cents: 300 } });
    const autoSmall = platform({ id: 'auto-small', code: null, value: { kind: 'fixed', cents: 10 } });
    const stack = coopPromo('A', { id: 'auto-stack', code: null, stackable: true, value: { kind: 'free_shipping', coopId: 'A' } });
    const withCode = applyPromotions(cart(), platform({ value: { kind: 'fixed', cents: 100 } }), [autoBig, autoSmall, stack]);
    assert.deepEqual(
      withCode.applied.map((a) => [a.promotion.id, a.cents]),
      [
        ['p-platform', 100],
        ['auto-stack', 690],
      ],
    );
    const noCode = applyPromotions(cart(), null, [autoSmall, autoBig, stack]);
    assert.deepEqual(
      noCode.applied.map((a) => [a.promotion.id, a.cents]),
      [
        ['auto-big', 300],
        ['auto-stack', 690],
      ],
    );
  });

  it('applies a stacked promotion to what is left of each line, never past it', () => {
    const all = platform({ value: { kind: 'fixed', cents: 1000 } });
    const more = coopPromo('B', { id: 'auto-more', code: null, stackable: true, value: { kind: 'fixed', cents: 999 } });
    const r = applyPromotions(cart(), all, [more]);
    // 1000 over 333/333/334/1: 332.67, 332.67, 333.67, 0.999 → 332, 332, 333, 0 and three cents to b1, a1, a2.
    assert.deepEqual(
      ['a1', 'a2', 'a3', 'b1'].map((k) => cents(r, k)),
      [333, 333, 333, 1],
    );
    // B's line is free already: its own promotion has nothing left to take and does not apply.
    assert.deepEqual(
      r.applied.map((a) => a.promotion.id),
      ['p-platform'],
    );
    assert.equal(r.totalCents, 1000);
  });

  describe('shareMoney', () => {
    it("lowers the co-op's net and the commission's base by its own discount", () => {
      // goods 1001, shipping 690, 12.5 %; the co-op gives 101 off its goods: commission on 900 = 112.5 → 113.
      const m = shareMoney(1001, 690, 1250, { goodsCoopCents: 101, goodsPlatformCents: 0, shippingCoopCents: 0, shippingPlatformCents: 0 });
      assert.deepEqual([m.paidCents, m.commissionCents, m.netCents, m.platformCents], [1590, 113, 1001 + 690 - 101 - 113, 113]);
    });

    it("takes the platform's discount out of its commission, which may go below zero", () => {
      // goods 1001 at 8 % = 80.08 → 80; the platform gives 334 and free shipping of 690: its take is 80 − 1024 = −944.
      const m = shareMoney(1001, 690, 800, {
        goodsCoopCents: 0,
        goodsPlatformCents: 334,
        shippingCoopCents: 0,
        shippingPlatformCents: 690,
      });
      assert.deepEqual([m.paidCents, m.commissionCents, m.netCents, m.platformCents], [667, 80, 1611, -944]);
      // What the buyer pays is exactly what the co-op nets plus the platform's take.
      assert.equal(m.paidCents, m.netCents + m.platformCents);
    });
  });
});
