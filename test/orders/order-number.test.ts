import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { createOrderNumbers } from '../../src/orders/order-number';

describe('OrderNumbers.allocate', () => {
  /** A year no other test uses, so the counter document does not exist yet. */
  const freshYear = () => new Date(Date.UTC(2000 + Math.floor(Math.random() * 60) + 30, 0, 1));

  describe('when many checkouts start the first orders of a year at once', () => {
    it('gives each a distinct number and never fails on the shared counter', async () => {
      const at = freshYear();
      const numbers = createOrderNumbers();
      const allocated = await Promise.all(Array.from({ length: 30 }, () => numbers.allocate(new Types.ObjectId(), at)));
      assert.equal(new Set(allocated).size, 30);
      for (const n of allocated) assert.match(n, new RegExp(`^FIL-${at.getUTCFullYear()}-\\d{6}$`));
    });
  });

  describe('when two app processes (each with its own counter) hand out numbers at once', () => {
    it('gives each order a distinct number', async () => {
      const at = freshYear();
      const [one, two] = [createOrderNumbers(), createOrderNumbers()];
      const allocated = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? one : two).allocate(new Types.ObjectId(), at)));
      assert.equal(new Set(allocated).size, 20);
    });
  });
});
