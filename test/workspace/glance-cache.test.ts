import assert from 'node:assert/strict';
import { GlanceCache } from '../../src/workspace/glance-cache';

describe('GlanceCache (the co-op home counters kept a few seconds)', () => {
  it('shares one read among concurrent visitors, keeps it for its time, then reads again', async () => {
    const cache = new GlanceCache<number>(5_000);
    let reads = 0;
    const load = async () => ++reads;
    const t = 1_000_000;
    assert.deepEqual(await Promise.all([cache.get('c1', 'money', load, t), cache.get('c1', 'money', load, t + 10)]), [1, 1]);
    assert.equal(await cache.get('c1', 'money', load, t + 4_999), 1);
    assert.equal(await cache.get('c1', 'staff', load, t + 4_999), 2, 'each view is kept apart');
    assert.equal(await cache.get('c1', 'money', load, t + 5_000), 3, 'read again once its time is over');
  });

  it('forgets a failed read and everything of a co-op dropped', async () => {
    const cache = new GlanceCache<string>(60_000);
    await assert.rejects(
      cache.get('c1', 'money', () => Promise.reject(new Error('engine away'))),
      /engine away/,
    );
    assert.equal(await cache.get('c1', 'money', async () => 'fresh'), 'fresh');
    assert.equal(await cache.get('c2', 'money', async () => 'other'), 'other');
    cache.drop('c1');
    assert.equal(await cache.get('c1', 'money', async () => 'after drop'), 'after drop');
    assert.equal(await cache.get('c2', 'money', async () => 'not read'), 'other', 'another co-op is kept');
  });

  it('reads every time when its time is 0', async () => {
    const cache = new GlanceCache<number>(0);
    let reads = 0;
    await cache.get('c1', 'money', async () => ++reads);
    assert.equal(await cache.get('c1', 'money', async () => ++reads), 2);
  });
});
