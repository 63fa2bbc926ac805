/**
 * What a burst of sign-ins leaves resident: rounds of twenty password
 * checks at once (the app's argon2 settings, 19 MiB each; straight to
 * argon2, without the app's two-at-a-time queue, so libuv's four threads
 * all hash), with small allocations in between as pages make them. Run it
 * under the allocator settings to compare, e.g.
 *
 *   MALLOC_ARENA_MAX=2 npx tsx bench/hash-memory.ts
 *   MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=1048576 npx tsx bench/hash-memory.ts
 *
 * glibc's allocator raises its mmap threshold each time a large mapped block
 * is freed, so from the second hash on the 19 MiB blocks come from an arena,
 * and what is freed there stays resident wherever a small allocation sits
 * above it. A fixed threshold (which turns the raising off) keeps every
 * block of 1 MiB or more mapped, and gives it back when freed.
 */
import argon2 from 'argon2';
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { HASH_OPTIONS } from '../src/accounts/password';

const rssMiB = () => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) / 1024);
const ROUNDS = 5;
const kept: Buffer[] = [];

async function main(): Promise<void> {
  const hash = await argon2.hash('a passphrase', HASH_OPTIONS);
  const start = rssMiB();
  const after: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    await Promise.all(Array.from({ length: 20 }, () => argon2.verify(hash, 'a passphrase')));
    // What pages leave alive meanwhile: about 6 MiB of small buffers a round.
    for (let i = 0; i < 2_000; i++) kept.push(Buffer.alloc(200 + (i % 7) * 1_000));
    after.push(rssMiB());
  }
  const keptMiB = Math.round(kept.reduce((n, b) => n + b.length, 0) / 1048576);
  console.log(
    `MALLOC_MMAP_THRESHOLD_=${process.env.MALLOC_MMAP_THRESHOLD_ ?? '(dynamic)'}: resident ${start} MiB at start, ` +
      `${after.join(' → ')} MiB after each round of 20 checks (${keptMiB} MiB of it kept on purpose)`,
  );
}

void main();
