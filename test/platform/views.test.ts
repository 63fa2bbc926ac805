import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { VIEWS_DIR } from '../../src/platform/config';

const viewsUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? viewsUnder(join(dir, e.name)) : e.name.endsWith('.ejs') ? [join(dir, e.name)] : [],
  );

describe('views', () => {
  it('name every include from views/, so rendering a page never asks the file system where a part is', () => {
    const relative_ = viewsUnder(VIEWS_DIR).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/include\(\s*(['"(])([^'"]*)/g)]
        .filter((m) => m[1] !== '(' && !m[2]!.startsWith('/'))
        .map((m) => `${relative(VIEWS_DIR, file)}: ${m[2]}`),
    );
    assert.deepEqual(relative_, []);
  });
});
