import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { crc32, deflateRawSync, gunzipSync } from 'node:zlib';
import { GzipPieces, crc32Combine, packTight } from '../../src/platform/gzip-pieces';

describe('a text gzipped ahead in pieces', () => {
  const bytes = (s: string) => Buffer.from(s);
  const whole = (pieces: Buffer[], between: Buffer[]) =>
    Buffer.concat(pieces.flatMap((p, i) => (i < between.length ? [p, between[i]!] : [p])));

  it('inflates, CRC and length checked, to the pieces with each value between them', () => {
    const cases: [string[], string[]][] = [
      [['<p>one page</p>'], []],
      [['<form><input value="', '"></form>'], ['a-token']],
      // An empty piece (two slots side by side), an empty value, text beyond one stored block (64 KiB), accents.
      [
        ['a'.repeat(5_000), '', 'città '.repeat(3_000), 'end'],
        ['T', '', 'x'.repeat(70_000)],
      ],
    ];
    for (const [pieceText, values] of cases) {
      const pieces = pieceText.map(bytes);
      const between = values.map(bytes);
      const gz = new GzipPieces(pieces).with(between);
      assert.ok(gunzipSync(gz).equals(whole(pieces, between)));
      // And by another implementation than the one that made it.
      assert.ok(execFileSync('gzip', ['-dc'], { input: gz }).equals(whole(pieces, between)));
    }
  });

  it('puts one value given for many gaps (the same token in every form of a page) in each, as often as asked', () => {
    const pieces = Array.from({ length: 120 }, (_, i) => bytes(`<form id="f${i}"><input value="`));
    const token = bytes('the-visitors-token');
    const long = bytes('y'.repeat(70_000));
    const between = pieces.slice(1).map((_, i) => (i % 40 === 39 ? long : token));
    const gz = new GzipPieces(pieces).with(between);
    assert.ok(gunzipSync(gz).equals(whole(pieces, between)));
    assert.ok(execFileSync('gzip', ['-dc'], { input: gz, maxBuffer: 1 << 24 }).equals(whole(pieces, between)));
  });

  it('compresses the pieces, not the values, and serves many visitors from one compression', () => {
    const page = new GzipPieces(['<li>product</li>'.repeat(2_000), '</ul>'].map(bytes));
    assert.ok(page.size < 1_000, `${page.size} bytes held for 32 KB of text`);
    const one = page.with([bytes('token-one')]);
    const two = page.with([bytes('token-two')]);
    assert.match(gunzipSync(one).toString(), /token-one<\/ul>$/);
    assert.match(gunzipSync(two).toString(), /token-two<\/ul>$/);
  });

  it('refuses values that do not fit between the pieces', () => {
    assert.throws(() => new GzipPieces([bytes('a'), bytes('b')]).with([]), /2 pieces take 1 values/);
  });

  it('holds its compressed pieces in one allocation of their size, not in zlib output chunks', () => {
    const pieces = [bytes('<p>'.repeat(300)), bytes('middle'), bytes('</p>'.repeat(200))];
    const g = new GzipPieces(pieces);
    const held = packTight([deflateRawSync(pieces[0]!), deflateRawSync(pieces[1]!)]);
    assert.equal(held[0]!.buffer, held[1]!.buffer, 'one allocation');
    assert.equal(held[0]!.buffer.byteLength, held[0]!.length + held[1]!.length, 'of exactly their size');
    assert.deepEqual(held[0], deflateRawSync(pieces[0]!));
    assert.deepEqual(held[1], deflateRawSync(pieces[1]!));
    assert.ok(g.size < 200, `compressed to ${g.size} bytes`);
    assert.equal(gunzipSync(g.with([bytes('A'), bytes('B')])).toString(), '<p>'.repeat(300) + 'AmiddleB' + '</p>'.repeat(200));
  });

  it('combines CRC-32s as a CRC of the whole would be', () => {
    const a = Buffer.from('città '.repeat(1_234));
    for (const b of [Buffer.from('x'), Buffer.from('token '.repeat(11_111)), Buffer.alloc(70_001, 7)]) {
      assert.equal(crc32Combine(crc32(a), crc32(b), b.length), crc32(Buffer.concat([a, b])));
    }
    assert.equal(crc32Combine(0, crc32(a), a.length), crc32(a), 'after nothing');
  });

  it('gives its pieces back as text, holding none of it', () => {
    const pieces = ['<main>', 'città '.repeat(2_000), '</main>'].map(bytes);
    const g = new GzipPieces(pieces);
    assert.deepEqual(g.pieces(), pieces);
    assert.ok(g.size < 300, `${g.size} bytes held`);
  });
});
