import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import { testEngines } from '../support/engines';

/**
 * The local FerretDB is built with fixes (scripts/install-engines.mjs); one:
 * a lookup by `_id` uses the `_id` index instead of reading the table.
 * Everything hot (sessions, locks, stock, orders) is read by `_id`, so a
 * build without the fix shows up as pages that slow down as data grows.
 */
describe('the embedded database engine', () => {
  it('finds, updates and deletes by _id without reading the whole collection', async function () {
    if (testEngines().db.kind !== 'ferretdb') this.skip();
    this.timeout(60_000);
    const coll = mongoose.connection.db!.collection<{ _id: string; n: number }>(`id_lookup_${Date.now()}`);
    const lookups = async (): Promise<number> => {
      const started = performance.now();
      for (let i = 0; i < 40; i++) {
        const id = `doc-${(i * 7919) % 20}`;
        assert.ok(await coll.findOne({ _id: id }));
        await coll.updateOne({ _id: id }, { $set: { n: i } });
      }
      return (performance.now() - started) / 40;
    };
    try {
      await coll.insertMany(Array.from({ length: 20 }, (_, i) => ({ _id: `doc-${i}`, n: i })));
      const small = await lookups();
      for (let b = 0; b < 20; b++) {
        await coll.insertMany(Array.from({ length: 1_000 }, (_, i) => ({ _id: `more-${b}-${i}`, n: i })));
      }
      const large = await lookups();
      // Reading 20,000 documents takes tens of milliseconds here; an index lookup well under one.
      assert.ok(
        large < Math.max(8, small * 4),
        `a lookup took ${large.toFixed(1)} ms among 20,020 documents, ${small.toFixed(1)} ms among 20`,
      );
      await coll.deleteOne({ _id: 'more-3-3' });
      assert.equal(await coll.findOne({ _id: 'more-3-3' }), null);
    } finally {
      await coll.drop().catch(() => undefined);
    }
  });
});
