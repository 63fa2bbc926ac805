import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { Types } from 'mongoose';
import { csvCell, toCsv } from '../../src/platform/csv';
import { moneyCsv } from '../../src/workspace/reports.service';
import { ledgerCsv } from '../../src/payouts/reconciliation.service';
import { goodsCsv, goodsImport, previewGoodsImport } from '../../src/catalog/goods.service';
import { makeCoop, makeUser, makeProduct } from '../support/factories';

/** Payloads an attacker puts in a product name, a note or a co-op name, hoping a spreadsheet runs them. */
const HOSTILE = [
  'Miele\r=HYPERLINK("http://evil.example","clic")',
  'Miele\n=1+1',
  'Miele\r\n@SUM(A1:A9)',
  '=cmd|" /C calc"!A0',
  '+1+1',
  '-1+1',
  '@A1',
  '\t=1',
  '\r=1',
  'a "quoted" name, with a comma; and a semicolon',
  '\uFF1D1+1',
  '\uFF0B1',
  '\uFF20A1',
];

describe('attacks: CSV injection', () => {
  for (const payload of HOSTILE) {
    it(`keeps ${JSON.stringify(payload)} in its own cell, never as a formula`, () => {
      const file = toCsv(
        ['name', 'amount'],
        [
          [payload, 100],
          ['next row', -250],
        ],
      );
      const rows = parse(file, { relax_column_count: false }) as string[][];
      assert.equal(rows.length, 3, 'no row was added or split');
      assert.equal(rows[2]![0], 'next row');
      const cell = rows[1]![0]!;
      assert.ok(!/^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/.test(cell), `cell starts like a formula: ${JSON.stringify(cell)}`);
      assert.equal(cell.replace(/^'/, ''), payload, 'the text is kept, only defused');
    });
  }

  it('writes numbers, negative amounts, dates and empty values as they are', () => {
    assert.equal(csvCell(-250), '-250');
    assert.equal(csvCell('-12.50'), '-12.50');
    assert.equal(csvCell(new Date('2026-12-01T10:00:00Z')), '2026-12-01T10:00:00.000Z');
    assert.equal(csvCell(null), '');
    assert.equal(csvCell(undefined), '');
  });

  it('quotes a lone CR, a lone LF, a quote and a semicolon, and ends every row with CRLF', () => {
    assert.equal(csvCell('a\rb'), '"a\rb"');
    assert.equal(csvCell('a\nb'), '"a\nb"');
    assert.equal(csvCell('say "hi"'), '"say ""hi"""');
    assert.equal(csvCell('a;b'), '"a;b"');
    assert.equal(csvCell('plain text'), 'plain text');
    assert.equal(
      toCsv(
        ['a', 'b'],
        [
          [1, 'x'],
          [-2, 'y'],
        ],
      ),
      'a,b\r\n1,x\r\n-2,y\r\n',
    );
    assert.equal(toCsv(['a'], []), 'a\r\n');
  });

  it('keeps numbers written as text as numbers, but defuses a lone sign or a sign before text', () => {
    assert.equal(csvCell('-0.50'), '-0.50');
    assert.equal(csvCell('12'), '12');
    assert.equal(csvCell('-'), "'-");
    assert.equal(csvCell('-1+1'), "'-1+1");
    assert.equal(csvCell('+12'), "'+12");
  });

  it('writes an id object as its text and booleans as true/false', () => {
    assert.equal(csvCell(new Types.ObjectId('64b000000000000000000001')), '64b000000000000000000001');
    assert.equal(csvCell({ toString: () => '=1+1' }), "'=1+1");
    assert.equal(csvCell(true), 'true');
    assert.equal(csvCell(false), 'false');
  });

  it('the co-op money export uses the same writer', () => {
    const file = moneyCsv([
      {
        orderNumber: '=HYPERLINK("x")\r+1',
        placedAt: new Date('2026-11-30'),
        status: 'paid',
        subtotalCents: 1000,
        shippingCents: 500,
        commissionBps: 1000,
        commissionCents: 150,
        netCents: 1350,
        transferState: 'sent',
        transferredCents: 1350,
        reversedCents: 0,
      } as never,
    ]);
    const rows = parse(file) as string[][];
    assert.equal(rows.length, 2);
    assert.equal(rows[1]![0], `'=HYPERLINK("x")\r+1`);
  });

  it('the goods export defuses a hostile product name, and the file imports back unchanged', async () => {
    const coop = await makeCoop();
    const p = await makeProduct(coop, { nameIt: 'Miele\r=HYPERLINK("http://evil.example")', stock: 7 });
    const file = await goodsCsv(String(coop._id));
    const rows = parse(file) as string[][];
    const mine = rows.find((r) => r[0] === p.slug)!;
    assert.equal(mine[2], 'Miele\r=HYPERLINK("http://evil.example")', 'one quoted cell: the CR stays inside it');
    assert.equal(rows.filter((r) => r[0] === p.slug).length, 1, 'the CR did not end the row');
    const user = await makeUser();
    const acting = { id: String(coop._id), name: coop.name, status: 'approved' };
    const preview = await goodsImport(acting, await previewGoodsImport(acting, user.id, Buffer.from(file)));
    const row = preview.rows.find((r) => r.slug === p.slug)!;
    assert.deepEqual(row.problems, []);
    assert.equal(row.stock, 7);
  });

  it('the ledger export uses the same writer', () => {
    const file = ledgerCsv([
      {
        _id: 'k',
        at: new Date('2026-12-01T00:00:00Z'),
        kind: 'refund',
        orderNumber: 'FIL-1',
        amount: -250,
        currency: 'eur',
        note: 'Rimborso\r=1+1',
      } as never,
    ]);
    const rows = parse(file) as string[][];
    assert.equal(rows.length, 2);
    assert.equal(rows[1]![5], '-250');
    assert.equal(rows[1]![9], 'Rimborso\r=1+1');
  });
});
