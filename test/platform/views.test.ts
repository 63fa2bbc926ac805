import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { VIEWS_DIR } from '../../src/platform/config';
import { Views } from '../../src/platform/views';

const viewsUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? viewsUnder(join(dir, e.name)) : e.name.endsWith('.ejs') ? [join(dir, e.name)] : [],
  );

describe('views', () => {
  it('name every include from views/, so a part has one name wherever it is used', () => {
    const relative_ = viewsUnder(VIEWS_DIR).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/include\(\s*(['"(])([^'"]*)/g)]
        .filter((m) => m[1] !== '(' && !m[2]!.startsWith('/'))
        .map((m) => `${relative(VIEWS_DIR, file)}: ${m[2]}`),
    );
    assert.deepEqual(relative_, []);
  });
});

describe('Views (EJS with includes that share their page locals)', () => {
  let root: string;
  const write = (name: string, text: string) => {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), text);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'filiera-views-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('gives an include the page locals and what it passes, from views/ or relative, escaping as EJS does', () => {
    write(
      'page.ejs',
      `<%= t('hi') %>|<%- include('/parts/line', { n: 1 }) %>|<%- include('parts/line', { n: 2, name: '<b>' }) %>|<%= name %>`,
    );
    write('parts/line.ejs', `[<%= name %>#<%= n %><%- include('./deep') %>]`);
    write('parts/deep.ejs', `(<%= typeof n === 'undefined' ? '-' : n %>)`);
    const views = new Views(root, true);
    const html = views.render(join(root, 'page.ejs'), { t: (k: string) => k.toUpperCase(), name: 'Ada' });
    assert.equal(html, 'HI|[Ada#1(1)]|[&lt;b&gt;#2(2)]|Ada');
  });

  it('keeps what an include assigns to itself, never to its page or the caller', () => {
    write('page.ejs', `<% count = 1 %><%- include('/part') %>:<%= count %>:<%- include('/part', { count: 5 }) %>:<%= count %>`);
    write('part.ejs', `<% count = count + 10 %><%= count %>`);
    const data: Record<string, unknown> = { count: 0 };
    const html = new Views(root, true).render(join(root, 'page.ejs'), data);
    assert.equal(html, '11:1:15:1');
    assert.equal(data.count, 0, 'the locals passed in are copied, not written');
  });

  it('is not led astray by names added to Object.prototype', () => {
    write('page.ejs', `<%= value %><%- include('/part', { x: 1 }) %>`);
    write('part.ejs', `<%= x %>`);
    const proto = Object.prototype as Record<string, unknown>;
    proto.include = () => 'polluted include';
    proto.escapeFn = () => 'polluted escape';
    try {
      assert.equal(new Views(root, true).render(join(root, 'page.ejs'), { value: '<i>' }), '&lt;i&gt;1');
    } finally {
      delete proto.include;
      delete proto.escapeFn;
    }
  });

  it('reads templates again on each render unless asked to keep them', () => {
    write('page.ejs', 'one');
    const kept = new Views(root, true);
    const fresh = new Views(root, false);
    assert.equal(kept.render(join(root, 'page.ejs'), {}), 'one');
    assert.equal(fresh.render(join(root, 'page.ejs'), {}), 'one');
    write('page.ejs', 'two');
    assert.equal(kept.render(join(root, 'page.ejs'), {}), 'one');
    assert.equal(fresh.render(join(root, 'page.ejs'), {}), 'two');
  });

  it('names the template and line of an error', () => {
    write('page.ejs', `ok\n<%= missing.field %>`);
    assert.throws(() => new Views(root, true).render(join(root, 'page.ejs'), {}), /page\.ejs:2/);
  });
});
