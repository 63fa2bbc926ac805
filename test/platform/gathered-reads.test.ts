import assert from 'node:assert/strict';
import { GatheredReads } from '../../src/platform/gathered-reads';

/** A store whose reads are recorded and answer when told. */
function store() {
  const value = new Map<string, number>();
  const reads: { keys: string[]; answer(): void; fail(err: Error): void }[] = [];
  const gathered = new GatheredReads<string, number>(
    (keys) =>
      new Promise((resolve, reject) => {
        reads.push({
          keys,
          // What the store holds when the read is answered: as late as a real read could see.
          answer: () => resolve(new Map(keys.filter((k) => value.has(k)).map((k) => [k, value.get(k)!]))),
          fail: reject,
        });
      }),
  );
  return { value, reads, gathered };
}

const turn = () => new Promise((r) => setImmediate(r));

describe('GatheredReads: reads shared by callers asking at about the same time', () => {
  it('sends one read for everyone who asked in the same turn, each key once', async () => {
    const { value, reads, gathered } = store();
    value.set('a', 1).set('b', 2);
    const asked = [gathered.get('a'), gathered.get('b'), gathered.get('a'), gathered.get('zzz')];
    await turn();
    assert.equal(reads.length, 1);
    assert.deepEqual(reads[0]!.keys, ['a', 'b', 'zzz']);
    reads[0]!.answer();
    assert.deepEqual(await Promise.all(asked), [1, 2, 1, undefined]);
    assert.equal(gathered.sent, 1);
  });

  it('never joins a read already sent: a caller asking after it waits for the next, and sees what was written before it asked', async () => {
    const { value, reads, gathered } = store();
    value.set('rights', 1);
    const early = gathered.get('rights');
    await turn();
    assert.equal(reads.length, 1, 'sent');
    // Written after the first read was sent (it may not see it), before the next caller asks.
    value.set('rights', 2);
    const late = gathered.get('rights');
    await turn();
    assert.equal(reads.length, 2, 'the late caller has a read of its own');
    reads[1]!.answer();
    assert.equal(await late, 2);
    // The first read answers last, whatever it saw: only its own callers get it.
    value.set('rights', 1);
    reads[0]!.answer();
    assert.equal(await early, 1);
  });

  it('gives a failed read’s error to each of its callers, and reads again for the next', async () => {
    const { value, reads, gathered } = store();
    value.set('a', 1);
    const failing = [gathered.get('a'), gathered.get('b')];
    await turn();
    reads[0]!.fail(new Error('the database does not answer'));
    for (const p of failing) await assert.rejects(p, /does not answer/);
    const next = gathered.get('a');
    await turn();
    reads[1]!.answer();
    assert.equal(await next, 1);
  });

  it('turns a reader that throws at once into a rejection', async () => {
    const gathered = new GatheredReads<string, number>(() => {
      throw new Error('no connection yet');
    });
    await assert.rejects(gathered.get('a'), /no connection yet/);
  });
});
