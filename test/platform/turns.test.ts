import assert from 'node:assert/strict';
import { Turns } from '../../src/platform/turns';

/** A task that runs until told to end (or fail). */
function task() {
  let end!: (v: string) => void;
  let fail!: (e: Error) => void;
  const done = new Promise<string>((resolve, reject) => {
    end = resolve;
    fail = reject;
  });
  return { started: false, end, fail, run: () => done };
}

const turn = () => new Promise((r) => setImmediate(r));

describe('Turns: at most so many tasks at a time', () => {
  it('runs two of five at once, the others in the order they came', async () => {
    const turns = new Turns(2);
    const tasks = Array.from({ length: 5 }, task);
    const order: number[] = [];
    const results = tasks.map((t, i) =>
      turns.run(() => {
        t.started = true;
        order.push(i);
        return t.run();
      }),
    );
    await turn();
    assert.deepEqual(
      tasks.map((t) => t.started),
      [true, true, false, false, false],
    );
    assert.equal(turns.queued, 3);
    tasks[1]!.end('b');
    await turn();
    assert.deepEqual(order, [0, 1, 2]);
    tasks[0]!.end('a');
    tasks[2]!.end('c');
    await turn();
    assert.deepEqual(order, [0, 1, 2, 3, 4]);
    tasks[3]!.end('d');
    tasks[4]!.end('e');
    assert.deepEqual(await Promise.all(results), ['a', 'b', 'c', 'd', 'e']);
    assert.equal(turns.busiest, 2);
    assert.equal(turns.queued, 0);
  });

  it('a task that fails gives its turn to the next, and its caller the error', async () => {
    const turns = new Turns(1);
    const [a, b] = [task(), task()];
    const first = turns.run(a.run);
    const second = turns.run(b.run);
    a.fail(new Error('hash failed'));
    await assert.rejects(first, /hash failed/);
    b.end('next');
    assert.equal(await second, 'next');
    assert.equal(turns.busiest, 1);
  });

  it('a turn passed on still counts: a newcomer waits for the task it went to', async () => {
    const turns = new Turns(1);
    const [a, b] = [task(), task()];
    const seen: string[] = [];
    void turns.run(() => a.run().then(() => seen.push('a')));
    void turns.run(() => b.run().then(() => seen.push('b')));
    a.end('');
    await turn();
    const late = turns.run(async () => seen.push('late'));
    await turn();
    assert.deepEqual(seen, ['a']);
    assert.equal(turns.queued, 1);
    b.end('');
    await late;
    assert.deepEqual(seen, ['a', 'b', 'late']);
    assert.equal(turns.busiest, 1);
  });
});
