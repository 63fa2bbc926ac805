import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { acquireLock, claim, unclaim, withLock } from '../../src/platform/lock';

describe('platform/lock', () => {
  describe('withLock', () => {
    it('lets one holder at a time run a read-modify-write', async () => {
      const key = `test:${randomUUID()}`;
      let counter = 0;
      let inside = 0;
      let maxInside = 0;
      await Promise.all(
        Array.from({ length: 20 }, () =>
          withLock(key, async () => {
            inside++;
            maxInside = Math.max(maxInside, inside);
            const seen = counter;
            await new Promise((r) => setTimeout(r, 1));
            counter = seen + 1;
            inside--;
          }),
        ),
      );
      assert.equal(counter, 20);
      assert.equal(maxInside, 1);
    });

    it('takes over a lock whose holder let it expire', async () => {
      const key = `test:${randomUUID()}`;
      await acquireLock(key, { ttlMs: 20 });
      await new Promise((r) => setTimeout(r, 40));
      const lock = await acquireLock(key, { waitMs: 100 });
      await lock.release();
    });

    it('gives up with lock_busy after waitMs', async () => {
      const key = `test:${randomUUID()}`;
      const held = await acquireLock(key);
      await assert.rejects(acquireLock(key, { waitMs: 30 }), { code: 'lock_busy' });
      await held.release();
    });
  });

  describe('claim', () => {
    it('is won once among concurrent callers, and can be given back', async () => {
      const key = `test:${randomUUID()}`;
      const results = await Promise.all(Array.from({ length: 10 }, () => claim(key)));
      assert.equal(results.filter(Boolean).length, 1);
      await unclaim(key);
      assert.equal(await claim(key), true);
    });
  });
});
