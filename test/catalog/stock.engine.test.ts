import assert from 'node:assert/strict';
import mongoose from 'mongoose';

/**
 * The stock owner (catalog/stock.service.ts) keeps each hold in its stock
 * document, under `holds.<orderId>`, so that taking the units and recording
 * the hold are one write. These are the engine features it relies on.
 */
describe("the database engine serves the stock owner's map of holds", function () {
  this.timeout(60_000);
  type Doc = { _id: string; onHand: number; holds?: Record<string, string> };
  let coll: mongoose.mongo.Collection<Doc>;
  const order = 'a'.repeat(24);

  beforeEach(async () => {
    coll = mongoose.connection.db!.collection<Doc>(`stock_probe_${Date.now()}_${Math.random().toString(36).slice(2)}`);
    await coll.insertOne({ _id: 'item', onHand: 10, holds: {} });
  });
  afterEach(async () => {
    await coll.drop().catch(() => undefined);
  });

  it('sets a hold under a dotted path only while it does not exist', async () => {
    const hold = () =>
      coll.updateOne(
        { _id: 'item', onHand: { $gte: 3 }, [`holds.${order}`]: { $exists: false } },
        { $inc: { onHand: -3 }, $set: { [`holds.${order}`]: '3:1000' } },
      );
    assert.equal((await hold()).modifiedCount, 1);
    assert.equal((await hold()).modifiedCount, 0);
    const doc = await coll.findOne({ _id: 'item' });
    assert.equal(doc?.onHand, 7);
    assert.deepEqual(doc?.holds, { [order]: '3:1000' });
  });

  it('matches a hold by its exact value and unsets it once', async () => {
    await coll.updateOne({ _id: 'item' }, { $inc: { onHand: -3 }, $set: { [`holds.${order}`]: '3:1000' } });
    assert.equal(
      (
        await coll.updateOne(
          { _id: 'item', [`holds.${order}`]: '3:1000:2000' },
          { $inc: { onHand: 3 }, $unset: { [`holds.${order}`]: '' } },
        )
      ).modifiedCount,
      0,
    );
    const release = () =>
      coll.updateOne({ _id: 'item', [`holds.${order}`]: '3:1000' }, { $inc: { onHand: 3 }, $unset: { [`holds.${order}`]: '' } });
    assert.equal((await release()).modifiedCount, 1);
    assert.equal((await release()).modifiedCount, 0);
    const doc = await coll.findOne({ _id: 'item' });
    assert.equal(doc?.onHand, 10);
    assert.deepEqual(doc?.holds, {});
    assert.equal(await coll.countDocuments({ [`holds.${order}`]: { $exists: true } }), 0);
  });

  it('keeps every one of 200 concurrent holds by different orders, within the units', async () => {
    const orders = Array.from({ length: 200 }, (_, i) => i.toString(16).padStart(24, '0'));
    const results = await Promise.all(
      orders.map((o) =>
        coll.updateOne(
          { _id: 'item', onHand: { $gte: 1 }, [`holds.${o}`]: { $exists: false } },
          { $inc: { onHand: -1 }, $set: { [`holds.${o}`]: '1:1000' } },
        ),
      ),
    );
    assert.equal(results.filter((r) => r.modifiedCount === 1).length, 10);
    const doc = await coll.findOne({ _id: 'item' });
    assert.equal(doc?.onHand, 0);
    assert.equal(Object.keys(doc?.holds ?? {}).length, 10);
  });
});
