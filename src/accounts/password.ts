import argon2 from 'argon2';
import { Turns } from '../platform/turns';

/**
 * argon2id with OWASP's second recommended profile: 19 MiB memory, 2
 * iterations, 1 lane (about 20–30 ms on one of this machine's cores).
 */
export const HASH_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/**
 * Two hashes at a time, whatever the burst of sign-ins: each holds 19 MiB
 * while it runs, and on two cores a third or fourth at once (libuv has four
 * threads) would finish no sooner, only hold more memory and leave the pages
 * less CPU.
 */
export const hashing = new Turns(2);

export const hashPassword = (plain: string): Promise<string> => hashing.run(() => argon2.hash(plain, HASH_OPTIONS));

export async function verifyPassword(hash: string, plain: string): Promise<boolean> {
  try {
    return await hashing.run(() => argon2.verify(hash, plain));
  } catch {
    return false;
  }
}

/** A hash of a random password, verified against when the email is unknown so both answers take as long. */
let decoy: Promise<string> | undefined;
export const decoyHash = (): Promise<string> => (decoy ??= hashPassword(`decoy-${Math.random()}`));
