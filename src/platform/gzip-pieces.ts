import { constants, crc32, deflateRawSync } from 'node:zlib';

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
 * stream and the trailer carries the CRC-32 and length of the whole text,
 * the one part worked out per response (CRC-32 runs at gigabytes a second).
 */
export class GzipPieces {
  private readonly packed: Buffer[];

  constructor(private readonly pieces: Buffer[]) {
    this.packed = packTight(pieces.map((piece) => deflateRawSync(piece, { finishFlush: constants.Z_SYNC_FLUSH })));
  }

  /** The bytes held compressed. */
  get size(): number {
    return this.packed.reduce((n, b) => n + b.length, 0);
  }

  /** The whole text, gzipped, with `between[i]` after piece `i` (one fewer than the pieces). */
  with(between: Buffer[]): Buffer {
    if (between.length !== this.pieces.length - 1) throw new Error(`${this.pieces.length} pieces take ${this.pieces.length - 1} values`);
    const out: Buffer[] = [HEADER];
    let crc = 0;
    let size = 0;
    this.pieces.forEach((piece, i) => {
      out.push(this.packed[i]!);
      // Node 20's crc32 answers 0 for some empty buffers, whatever the value carried in: skip them.
      if (piece.length) crc = crc32(piece, crc);
      size += piece.length;
      const value = between[i];
      if (!value?.length) return;
      for (let at = 0; at < value.length; at += STORED_MAX) {
        const part = value.subarray(at, at + STORED_MAX);
        const head = Buffer.alloc(5);
        head.writeUInt16LE(part.length, 1);
        head.writeUInt16LE(~part.length & 0xffff, 3);
        out.push(head, part);
      }
      crc = crc32(value, crc);
      size += value.length;
    });
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc >>> 0, 0);
    trailer.writeUInt32LE(size >>> 0, 4);
    out.push(LAST_BLOCK, trailer);
    return Buffer.concat(out);
  }
}

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
