import assert from 'node:assert/strict';
import { discountBackFor, lineRefundCents, reversalFor } from '../../src/payouts/refunds.service';
import { shareMoney } from '../../src/promotions';

/**
 * Refunds of a discounted share, in parts (the pure rules payouts applies):
 * what the co-op gives back, and what the platform recovers of its own
 * discount, end exactly at the share's figures when everything is refunded.
 */
describe('refunds of discounted shares (pure)', () => {
  it('a platform discount above the commission: the co-op gives back more than the buyer gets, and the platform recovers its discount', () => {
    // goods 1001 at 8 %, shipping 690; the platform gives 334 off the goods and the shipping: paid 667, net 1611, take −944.
    const m = shareMoney(1001, 690, 800, { goodsCoopCents: 0, goodsPlatformCents: 334, shippingCoopCents: 0, shippingPlatformCents: 690 });
    const c = { gross: m.paidCents, net: m.netCents, platformDiscount: m.platformDiscountCents, refunded: 0, reversedOrOwed: 0 };
    const parts: { amount: number; reversal: number; discount: number }[] = [];
    for (const amount of [300, 1, 366]) {
      const reversal = reversalFor(c, amount);
      const discount = discountBackFor(c, amount);
      parts.push({ amount, reversal, discount });
      c.refunded += amount;
      c.reversedOrOwed += reversal;
    }
    // 300 of 667: floor(300 × 1611 / 667) = 724 back from the co-op, floor(300 × 1024 / 667) = 460 of the discount.
    assert.deepEqual(parts[0], { amount: 300, reversal: 724, discount: 460 });
    const sum = (k: 'amount' | 'reversal' | 'discount') => parts.reduce((n, p) => n + p[k], 0);
    assert.equal(sum('amount'), m.paidCents);
    assert.equal(sum('reversal'), m.netCents);
    assert.equal(sum('discount'), m.platformDiscountCents);
    // Commission given back (amount − reversal + discount) adds up to exactly the commission.
    assert.equal(
      parts.reduce((n, p) => n + p.amount - p.reversal + p.discount, 0),
      m.commissionCents,
    );
  });

  it("a co-op's own discount: refunds split the paid price between its net and the commission on what it charged", () => {
    const m = shareMoney(1001, 690, 1250, { goodsCoopCents: 101, goodsPlatformCents: 0, shippingCoopCents: 0, shippingPlatformCents: 0 });
    const c = { gross: m.paidCents, net: m.netCents, platformDiscount: 0, refunded: 0, reversedOrOwed: 0 };
    let back = 0;
    for (const amount of [333, 333, m.paidCents - 666]) {
      const reversal = reversalFor(c, amount);
      assert.equal(discountBackFor(c, amount), 0);
      back += amount - reversal;
      c.refunded += amount;
      c.reversedOrOwed += reversal;
    }
    assert.equal(c.reversedOrOwed, m.netCents);
    assert.equal(back, m.commissionCents);
  });

  it('a discounted line refunds its paid price unit by unit, the last unit taking the rest', () => {
    // 3 × 3,33 € less 3,32 € of discount: 6,67 € paid.
    const line = { paidCents: 667, quantity: 3 };
    assert.deepEqual([lineRefundCents(line, 0, 1), lineRefundCents(line, 1, 1), lineRefundCents(line, 2, 1)], [222, 222, 223]);
    assert.equal(lineRefundCents(line, 0, 3), 667);
    assert.equal(lineRefundCents(line, 1, 2), 445);
  });
});
