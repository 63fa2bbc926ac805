import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { allocateOrderNumber } from '../../src/orders/order-number';

describe('allocateOrderNumber', () => {
  describe('when many checkouts start the first orders of a year at once', () => {
    it('gives each a distinct number and never fails on the shared counter', async () => {
      // A year no other test uses, so the counter document does not exist yet.
      const at = new Date(Date.UTC(2000 + Math.floor(Math.random() * 60) + 30, 0, 1));
      const numbers = await Promise.all(Array.from({ length: 30 }, () => allocateOrderNumber(new Types.ObjectId(), at)));
      assert.equal(new Set(numbers).size, 30);
      for (const n of numbers) assert.match(n, new RegExp(`^FIL-${at.getUTCFullYear()}-\\d{6}$`));
    });
  });
});
