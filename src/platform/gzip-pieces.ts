import { constants, crc32, deflateRawSync, inflateRawSync } from 'node:zlib';

/** A gzip member's header: deflate, no name, no time, no flags, unknown OS. */
const HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
/** An empty last block (fixed codes, end of block at once): closes a deflate stream that sync flushes left open. */
const LAST_BLOCK = Buffer.from([3, 0]);
/** The most bytes one stored block holds. */
const STORED_MAX = 0xffff;

/**
 * A text cut into pieces, gzipped once, so that a response may put
 * different bytes between the pieces (a visitor's CSRF token, their cart
 * badge) and still go out compressed without compressing anything again.
 *
 * Each piece is deflated on its own and ended with a sync flush, which
 * leaves the stream on a byte boundary with no back-reference into what
 * follows. What goes between them is written as stored (uncompressed)
 * blocks, which need nothing but a length. An empty last block ends the
 * stream and the trailer carries the CRC-32 and length of the whole text.
 *
 * Only the compressed pieces are held (a fifth of the text, or less), with
 * each piece's CRC-32 and length: the trailer's CRC is the pieces' CRCs
 * combined with the values' (`crc32Combine`), so the text itself is not
 * kept. `text()` inflates it again for the rare client that takes no gzip.
 */
export class GzipPieces {
  private readonly packed: Buffer[];
  private readonly crcs: number[];
  private readonly lengths: number[];
  /** Per piece, what shifting a CRC past its length multiplies by (see crc32Combine). */
  private readonly shifts: number[];

  constructor(pieces: Buffer[]) {
    this.packed = packTight(pieces.map((piece) => deflateRawSync(piece, { finishFlush: constants.Z_SYNC_FLUSH })));
    // Node 20's crc32 answers 0 for some empty buffers: an empty piece's CRC is 0 anyway.
    this.crcs = pieces.map((piece) => (piece.length ? crc32(piece) : 0));
    this.lengths = pieces.map((piece) => piece.length);
    this.shifts = this.lengths.map(shiftFor);
  }

  /** How many values go between the pieces. */
  get gaps(): number {
    return this.packed.length - 1;
  }

  /** The bytes held compressed. */
  get size(): number {
    return this.packed.reduce((n, b) => n + b.length, 0);
  }

  /**
   * The whole text, gzipped, with `between[i]` after piece `i` (one fewer
   * than the pieces). A value given for many gaps (the same token in every
   * form of a page) is worked out once: its stored blocks, its CRC and the
   * shift past it.
   */
  with(between: Buffer[]): Buffer {
    if (between.length !== this.gaps) throw new Error(`${this.packed.length} pieces take ${this.gaps} values`);
    const out: Buffer[] = [HEADER];
    const stored = new Map<Buffer, { blocks: Buffer[]; crc: number; shift: number }>();
    let crc = 0;
    let size = 0;
    this.packed.forEach((packed, i) => {
      out.push(packed);
      crc = (multiply(this.shifts[i]!, crc) ^ this.crcs[i]!) >>> 0;
      size += this.lengths[i]!;
      const value = between[i];
      if (!value?.length) return;
      let v = stored.get(value);
      if (!v) stored.set(value, (v = { blocks: storedBlocks(value), crc: crc32(value), shift: shiftFor(value.length) }));
      out.push(...v.blocks);
      crc = (multiply(v.shift, crc) ^ v.crc) >>> 0;
      size += value.length;
    });
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc >>> 0, 0);
    trailer.writeUInt32LE(size >>> 0, 4);
    out.push(LAST_BLOCK, trailer);
    return Buffer.concat(out);
  }

  /** The pieces as text again (inflated: for a client that takes no gzip, which browsers all do). */
  pieces(): Buffer[] {
    return this.packed.map((packed) => inflateRawSync(packed, { finishFlush: constants.Z_SYNC_FLUSH }));
  }
}

/** `value` as stored deflate blocks: each a 5-byte head (not last, type 0, its length and the length's complement), then its bytes. */
function storedBlocks(value: Buffer): Buffer[] {
  const blocks: Buffer[] = [];
  for (let at = 0; at < value.length; at += STORED_MAX) {
    const part = value.subarray(at, at + STORED_MAX);
    const head = Buffer.alloc(5);
    head.writeUInt16LE(part.length, 1);
    head.writeUInt16LE(~part.length & 0xffff, 3);
    blocks.push(head, part);
  }
  return blocks;
}

/*
 * CRC-32 combination, as zlib's crc32_combine does it: the CRC of A then B
 * is CRC(A) "shifted" past B's length (multiplied by x^(8·len(B)) modulo
 * the CRC's polynomial) xor CRC(B). The shift for a length is worked out
 * once per piece; applying it is 32 steps.
 */
const POLY = 0xedb88320;

/** a·b modulo the polynomial (bit-reflected, as CRC-32 works). */
function multiply(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    if (m === 0) break; // a was 0
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

/** x^(2^k) modulo the polynomial, for k = 0…31. */
const X2N: number[] = [];
X2N[0] = 0x40000000; // x^1
for (let k = 1; k < 32; k++) X2N[k] = multiply(X2N[k - 1]!, X2N[k - 1]!);

/** x^(8·length) modulo the polynomial: what a CRC is multiplied by to move it past `length` bytes. */
function shiftFor(length: number): number {
  let p = 0x80000000; // 1
  let k = 3; // 8 = 2^3 bits a byte
  for (let n = length; n > 0; n = Math.floor(n / 2), k++) if (n % 2) p = multiply(X2N[k % 32]!, p);
  return p;
}

/** The CRC-32 of A then B, from CRC(A), CRC(B) and B's length. */
export const crc32Combine = (crcA: number, crcB: number, lengthB: number): number => (multiply(shiftFor(lengthB), crcA) ^ crcB) >>> 0;

/**
 * The same bytes, copied into one allocation of exactly their total size.
 *
 * A synchronous zlib call answers with a view of its 16 KiB output chunk,
 * and a view keeps all of it: kept pages, each a few compressed pieces of
 * about a kilobyte, held 16 KiB a piece: 21 MiB in a heap snapshot taken
 * during the bench, for pages counted as part of an 8 MiB budget.
 */
export function packTight(buffers: Buffer[]): Buffer[] {
  const all = Buffer.allocUnsafeSlow(buffers.reduce((n, b) => n + b.length, 0));
  let at = 0;
  return buffers.map((b) => {
    b.copy(all, at);
    return all.subarray(at, (at += b.length));
  });
}
