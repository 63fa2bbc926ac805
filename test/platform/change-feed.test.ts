import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { ChangeFeed } from '../../src/platform/change-feed';

/** Two processes' views of one feed, on a feed of this test's own. */
function twoProcesses() {
  const name = `feed${randomBytes(4).toString('hex')}`;
  return { name, a: new ChangeFeed(name, ['all', 'stock']), b: new ChangeFeed(name, ['all', 'stock']) };
}

describe('platform/change-feed', () => {
  describe('bump', () => {
    it('is news to the other process once it reads the feed, and never to the process that bumped', async () => {
      const { a, b } = twoProcesses();
      await a.bump('all');
      const seenByA = await a.read();
      const seenByB = await b.read();
      assert.equal(a.bumped(seenByA, 'all'), false);
      assert.equal(b.bumped(seenByB, 'all'), true);
      assert.equal(b.bumped(seenByB, 'stock'), false, 'a topic nobody bumped');
      b.seenTopic(seenByB, 'all');
      assert.equal(b.bumped(await b.read(), 'all'), false);
    });

    it('is not news when a read returns a token this process replaced itself', async () => {
      const { a } = twoProcesses();
      await a.bump('stock');
      const older = await a.read();
      await a.bump('stock');
      assert.equal(a.bumped(older, 'stock'), false);
    });
  });

  describe('publish', () => {
    it('reaches the other process once, and not the publisher', async () => {
      const { a, b } = twoProcesses();
      await a.publish(['p1', 'p2']);
      assert.deepEqual(a.fresh(await a.read()), []);
      const fresh = b.fresh(await b.read());
      assert.deepEqual(
        fresh.map((c) => c.keys),
        [['p1', 'p2']],
      );
      assert.deepEqual(b.fresh(await b.read()), []);
    });
  });

  describe('a load that read the feed first', () => {
    it('does not hide a change that landed during the load', async () => {
      const { a, b } = twoProcesses();
      const before = await b.read();
      await a.bump('all');
      await a.publish(['p3']);
      b.seenAll(before); // the load finished after the changes
      const after = await b.read();
      assert.equal(b.bumped(after, 'all'), true);
      assert.deepEqual(
        b.fresh(after).map((c) => c.keys),
        [['p3']],
      );
    });
  });

  describe('jobs', () => {
    it('deletes change records ten minutes old and keeps newer ones', async () => {
      const { name, a } = twoProcesses();
      const Changes = mongoose.connection.collection(`${name}_changes`);
      await Changes.insertMany([
        { keys: ['old'], at: new Date(Date.now() - 11 * 60_000) },
        { keys: ['new'], at: new Date(Date.now() - 9 * 60_000) },
      ]);
      const [expiry] = a.jobs();
      assert.equal(expiry!.name, `${name}-changes`);
      await expiry!.run();
      assert.deepEqual(
        (await Changes.find({}).toArray()).map((c) => c.keys),
        [['new']],
      );
    });
  });
});
