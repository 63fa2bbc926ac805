import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { claim, unclaim } from '../../src/platform/claims';

describe('platform/claims', () => {
  describe('claim', () => {
    it('is won once among 50 concurrent callers, and can be given back', async () => {
      const key = `test:${randomUUID()}`;
      const results = await Promise.all(Array.from({ length: 50 }, () => claim(key)));
      assert.equal(results.filter(Boolean).length, 1);
      await unclaim(key);
      assert.equal(await claim(key), true);
    });
  });
});
