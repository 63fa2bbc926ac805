import assert from 'node:assert/strict';
import { hashPassword, hashing, verifyPassword } from '../../src/accounts/password';

describe('password hashing', () => {
  it('a burst of sign-ins is hashed two at a time, and every answer is right', async () => {
    const hash = await hashPassword('a long enough passphrase');
    const tries = Array.from({ length: 8 }, (_, i) => verifyPassword(hash, i % 2 ? 'a long enough passphrase' : 'wrong'));
    assert.equal(hashing.queued, 6);
    assert.deepEqual(await Promise.all(tries), [false, true, false, true, false, true, false, true]);
    assert.equal(hashing.busiest, 2);
    assert.equal(hashing.queued, 0);
  });

  it('a malformed hash is a wrong password, and frees its turn', async () => {
    assert.equal(await verifyPassword('not-a-hash', 'x'), false);
    assert.equal(await verifyPassword(await hashPassword('x'), 'x'), true);
  });
});
