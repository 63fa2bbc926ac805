import assert from 'node:assert/strict';
import mongoose, { Schema } from 'mongoose';
import { deleteExpired, expiryJob } from '../../src/platform/expiry';
import { sessionsJob } from '../../src/platform/security';

const ExpiringModel = mongoose.model(
  'ExpiryTestDoc',
  new Schema<{ label: string; expiresAt: Date; createdAt: Date }>(
    { label: String, expiresAt: Date, createdAt: Date },
    { collection: 'expiry_test_docs', versionKey: false },
  ),
);

describe('platform/expiry', () => {
  const now = new Date('2030-01-01T12:00:00Z');
  const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000);

  beforeEach(() => ExpiringModel.deleteMany({}));

  it('deletes the documents whose expiry date has passed, and only those', async () => {
    await ExpiringModel.create([
      { label: 'gone', expiresAt: at(-1), createdAt: at(-100) },
      { label: 'kept', expiresAt: at(1), createdAt: at(-100) },
    ]);
    const n = await deleteExpired({ name: 'expiry-test', model: ExpiringModel, field: 'expiresAt' }, now);
    assert.equal(n, 1);
    assert.deepEqual(
      (await ExpiringModel.find({}).lean()).map((d) => d.label),
      ['kept'],
    );
  });

  it('deletes past one batch, by _id, and keeps a document whose expiry moved on meanwhile', async () => {
    await ExpiringModel.insertMany([
      ...Array.from({ length: 250 }, (_, i) => ({ label: `gone-${i}`, expiresAt: at(-1 - i) })),
      { label: 'touched', expiresAt: at(-1) },
      { label: 'kept', expiresAt: at(1) },
    ]);
    // A session touched after the sweep read the expired ids, before it deleted them.
    const touchedMeanwhile = {
      find: async (filter: Record<string, unknown>, projection: { _id: 1 }) => {
        const found = await ExpiringModel.find(filter, projection).lean();
        await ExpiringModel.updateOne({ label: 'touched' }, { $set: { expiresAt: at(30) } });
        return found;
      },
      deleteMany: (filter: Record<string, unknown>) => ExpiringModel.deleteMany(filter),
    };
    const n = await deleteExpired({ name: 'expiry-test', model: touchedMeanwhile, field: 'expiresAt' }, now);
    assert.equal(n, 250);
    assert.deepEqual((await ExpiringModel.find({}).lean()).map((d) => d.label).sort(), ['kept', 'touched']);
  });

  it('with afterMs, deletes documents that long after the field', async () => {
    await ExpiringModel.create([
      { label: 'gone', expiresAt: at(10), createdAt: at(-61) },
      { label: 'kept', expiresAt: at(-10), createdAt: at(-59) },
    ]);
    await deleteExpired({ name: 'expiry-test', model: ExpiringModel, field: 'createdAt', afterMs: 60 * 60_000 }, now);
    assert.deepEqual(
      (await ExpiringModel.find({}).lean()).map((d) => d.label),
      ['kept'],
    );
  });

  it('gives a job with the name, the interval (a minute by default) and the deletion', async () => {
    await ExpiringModel.create({ label: 'gone', expiresAt: new Date(Date.now() - 1000) });
    const job = expiryJob({ name: 'expiry-test', model: ExpiringModel, field: 'expiresAt' });
    assert.equal(job.name, 'expiry-test');
    assert.equal(job.everyMs, 60_000);
    assert.equal(job.perProcess, undefined, 'one process at a time is enough');
    assert.equal(await job.run(), 1);
  });

  it('ends expired sessions with an acknowledged delete, keeping the live ones', async () => {
    const sessions = mongoose.connection.db!.collection<{ _id: string; expires: Date; session: object }>('sessions');
    await sessions.insertMany([
      { _id: 'expiry-test-gone', expires: new Date(Date.now() - 1_000), session: {} },
      { _id: 'expiry-test-kept', expires: new Date(Date.now() + 60_000), session: {} },
    ]);
    try {
      assert.ok(((await sessionsJob.run()) as number) >= 1, 'the job reports what it deleted');
      assert.equal(await sessions.countDocuments({ _id: 'expiry-test-gone' }), 0);
      assert.equal(await sessions.countDocuments({ _id: 'expiry-test-kept' }), 1);
      assert.equal(sessionsJob.perProcess, undefined, 'one process at a time, under a lease');
    } finally {
      await sessions.deleteMany({ _id: { $in: ['expiry-test-gone', 'expiry-test-kept'] } });
    }
  });
});
