import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT_DIR } from '../../src/platform/config';

type Node = { [k: string]: string | Node };
const keys = (n: Node, p = ''): string[] =>
  Object.entries(n)
    .flatMap(([k, v]) => (typeof v === 'string' ? [p + k] : keys(v, `${p}${k}.`)))
    .sort();

describe('locales/*/admin.json', () => {
  it('has the same keys in Italian and English', () => {
    const read = (l: string) => JSON.parse(readFileSync(join(ROOT_DIR, 'locales', l, 'admin.json'), 'utf8')) as Node;
    assert.deepEqual(keys(read('en')), keys(read('it')));
  });
});
