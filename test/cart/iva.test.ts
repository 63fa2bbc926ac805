import assert from 'node:assert/strict';
import { ivaBreakdown, sumIva } from '../../src/cart/iva';

const total = (parts: { baseCents: number; taxCents: number }[]) => parts.reduce((n, p) => n + p.baseCents + p.taxCents, 0);

describe('cart/iva', () => {
  describe('ivaBreakdown', () => {
    describe('when all goods are at one rate', () => {
      it("taxes the shipping at the goods' rate, not at 22%", () => {
        // 10.00 of oil at 4% and 6.90 shipping: 16.90 gross at 4%.
        assert.deepEqual(ivaBreakdown([{ rate: 4, cents: 1000 }], 690), [{ rate: 4, baseCents: 1625, taxCents: 65 }]);
      });
    });

    describe('when the goods are at 4%, 10% and 22%', () => {
      it('splits the shipping in proportion to the goods at each rate', () => {
        const parts = ivaBreakdown(
          [
            { rate: 4, cents: 2000 },
            { rate: 10, cents: 3000 },
            { rate: 22, cents: 5000 },
          ],
          1000,
        );
        // Shipping 10.00 over 20/30/50%: 2.00, 3.00, 5.00.
        assert.deepEqual(parts, [
          { rate: 4, baseCents: 2115, taxCents: 85 },
          { rate: 10, baseCents: 3000, taxCents: 300 },
          { rate: 22, baseCents: 4508, taxCents: 992 },
        ]);
        assert.equal(total(parts), 11000);
      });

      it('keeps base + tax equal to goods + shipping to the cent when the split does not divide evenly', () => {
        const goods = [
          { rate: 4, cents: 333 },
          { rate: 10, cents: 333 },
          { rate: 22, cents: 334 },
          { rate: 4, cents: 1 },
        ];
        for (const shipping of [1, 2, 7, 499, 690, 1001]) {
          const parts = ivaBreakdown(goods, shipping);
          assert.equal(total(parts), 1001 + shipping, `shipping ${shipping}`);
          assert.deepEqual(
            parts.map((p) => p.rate),
            [4, 10, 22],
          );
        }
        // 7 cents over 334/333/334: 3, 2, 2 (largest remainder; 4% and 22% tie, the earlier rate wins).
        const seven = ivaBreakdown(goods, 7);
        assert.deepEqual(
          seven.map((p) => p.baseCents + p.taxCents),
          [337, 335, 336],
        );
      });
    });

    describe('when nothing is shipped', () => {
      it('is the IVA of the goods alone', () => {
        assert.deepEqual(
          ivaBreakdown(
            [
              { rate: 22, cents: 1220 },
              { rate: 10, cents: 1100 },
            ],
            0,
          ),
          [
            { rate: 10, baseCents: 1000, taxCents: 100 },
            { rate: 22, baseCents: 1000, taxCents: 220 },
          ],
        );
      });
    });
  });

  describe('sumIva', () => {
    it("adds up each seller's own tax per rate", () => {
      const a = ivaBreakdown([{ rate: 4, cents: 1000 }], 500);
      const b = ivaBreakdown(
        [
          { rate: 4, cents: 1000 },
          { rate: 22, cents: 1000 },
        ],
        500,
      );
      assert.deepEqual(sumIva([a, b]), [
        { rate: 4, cents: a[0]!.taxCents + b[0]!.taxCents },
        { rate: 22, cents: b[1]!.taxCents },
      ]);
    });
  });
});
