import assert from 'node:assert/strict';
import { Pages } from '../../src/catalog/page-cache';

describe('kept pages', () => {
  let generation = 1;
  const pages = () => new Pages<string>({ paths: () => true, generation: () => generation, max: 5, maxBytes: 100 }, (s) => s.length);

  it('keeps the newest within the byte budget and the count, dropping the oldest first', () => {
    const kept = pages();
    for (const [key, size] of [
      ['a', 40],
      ['b', 40],
      ['c', 40],
    ] as const)
      kept.setter(key)('x'.repeat(size));
    assert.equal(kept.get('a'), undefined, 'a went to make room for c');
    assert.equal(kept.get('b')?.length, 40);
    assert.equal(kept.get('c')?.length, 40);
    for (const key of ['d', 'e', 'f', 'g', 'h']) kept.setter(key)('y');
    assert.deepEqual(
      ['b', 'c', 'd', 'e', 'f', 'g', 'h'].map((k) => kept.get(k) !== undefined),
      [false, false, true, true, true, true, true],
      'five pages at most: b and c went for g and h',
    );
    kept.setter('big')('z'.repeat(101));
    assert.equal(kept.get('big'), undefined, 'a page larger than the whole budget is not kept');
    assert.equal(kept.get('h'), 'y', 'and pushes nothing out');
  });

  it('drops a page when the generation moves or its own check fails', () => {
    const kept = pages();
    let level = 3;
    kept.setter('p')('page', () => level === 3);
    kept.setter('q')('page');
    assert.equal(kept.get('p'), 'page');
    level = 2;
    assert.equal(kept.get('p'), undefined);
    assert.equal(kept.get('q'), 'page');
    generation++;
    assert.equal(kept.get('q'), undefined);
  });
});
