import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { acquireLock, claim, unclaim, withLock } from '../../src/platform/lock';
import { countLockInserts } from './support';

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

    it('queues contenders of this process in memory: one insert per holder, none that fails', async () => {
      const key = `test:${randomUUID()}`;
      const order: number[] = [];
      const seen = await countLockInserts(() =>
        Promise.all(Array.from({ length: 15 }, (_, i) => withLock(key, async () => {
          order.push(i);
          await new Promise((r) => setTimeout(r, 2));
        }))),
      );
      assert.deepEqual(seen, { inserts: 15, failed: 0 });
      assert.deepEqual(order, [...order].sort((a, b) => a - b), 'first come, first served');
    });

    it('waits for a lock another process holds, and gets it once that process lets go', async () => {
      const key = `test:${randomUUID()}`;
      const locks = mongoose.connection.collection<{ _id: string; owner: string; expiresAt: Date }>('locks');
      await locks.insertOne({ _id: key, owner: 'another-process', expiresAt: new Date(Date.now() + 10_000) });
      setTimeout(() => void locks.deleteOne({ _id: key }), 60);
      const started = Date.now();
      const lock = await acquireLock(key, { waitMs: 2_000 });
      assert.ok(Date.now() - started >= 50);
      assert.equal((await locks.findOne({ _id: key }))?.owner, lock.owner);
      await lock.release();
      assert.equal(await locks.findOne({ _id: key }), null);
    });

    it('refuses at once when asked not to wait and a holder in this process has it', async () => {
      const key = `test:${randomUUID()}`;
      const held = await acquireLock(key);
      const started = Date.now();
      await assert.rejects(acquireLock(key, { waitMs: 0 }), { code: 'lock_busy' });
      assert.ok(Date.now() - started < 50);
      await held.release();
      const again = await acquireLock(key, { waitMs: 0 });
      await again.release();
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
