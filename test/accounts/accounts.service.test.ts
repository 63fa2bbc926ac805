import assert from 'node:assert/strict';
import { getAddress, listAddresses } from '../../src/accounts';
import { createAccountsService } from '../../src/accounts/accounts.service';
import { AccountTokenModel, consumeToken, issueToken, sweepExpiredTokens, hashToken } from '../../src/accounts/token.model';
import { UserModel } from '../../src/accounts/user.model';
import { MembershipModel } from '../../src/coops/membership.model';
import { createLogger } from '../../src/platform/logger';
import { EventBus } from '../../src/platform/events';
import { wireCoops } from '../../src/coops';
import { localeKeys } from '../../src/platform/i18n';
import { MemoryMailer } from '../support/app';
import { suffix } from './helpers';
import { makeCoop, makeUser, PASSWORD } from '../support/factories';

const address = {
  name: 'Anna Rossi',
  line1: 'Via Roma 1',
  line2: '',
  postalCode: '70121',
  city: 'Bari',
  province: 'BA',
  country: 'IT' as const,
  phone: '',
};

describe('accounts service', () => {
  const events = new EventBus();
  wireCoops(events);
  const service = createAccountsService({
    mailer: new MemoryMailer(),
    logger: createLogger('silent', false),
    publicUrl: 'http://shop.test',
    events,
  });

  describe('getAddress', () => {
    it("returns the user's own address and null for another user's", async () => {
      const a = await makeUser();
      const b = await makeUser();
      await service.addAddress(a.id, address);
      const [saved] = await listAddresses(a.id);
      assert.equal((await getAddress(a.id, saved!.id))?.city, 'Bari');
      assert.equal(await getAddress(b.id, saved!.id), null);
      assert.equal(await getAddress(a.id, 'not-an-id'), null);
    });
  });

  describe('updateAddress and removeAddress', () => {
    it("refuse another user's address", async () => {
      const a = await makeUser();
      const b = await makeUser();
      await service.addAddress(a.id, address);
      const [saved] = await listAddresses(a.id);
      await assert.rejects(service.updateAddress(b.id, saved!.id, { ...address, city: 'Lecce' }), { code: 'address_not_found' });
      await assert.rejects(service.removeAddress(b.id, saved!.id), { code: 'address_not_found' });
      assert.equal((await getAddress(a.id, saved!.id))?.city, 'Bari');
    });
  });

  describe('deleteAccount', () => {
    it('anonymises the user and ends memberships, keeping the document', async () => {
      const u = await makeUser({ name: 'Carla Bianchi' });
      await service.addAddress(u.id, address);
      const coop = await makeCoop();
      await MembershipModel.create({ user: u.id, coop: coop._id, role: 'staff' });
      await service.deleteAccount(u.id, PASSWORD);
      const doc = (await UserModel.findById(u.id).lean())!;
      assert.ok(doc.deletedAt);
      assert.notEqual(doc.email, u.email);
      assert.doesNotMatch(JSON.stringify(doc), /Carla|Bianchi|Via Roma/);
      assert.equal(await MembershipModel.countDocuments({ user: u.id }), 0);
      assert.equal(await service.authenticate(u.email, PASSWORD), null);
    });

    it('refuses a wrong password and the last owner of a co-op', async () => {
      const u = await makeUser();
      await assert.rejects(service.deleteAccount(u.id, 'wrong-password'), { code: 'wrong_password' });
      const coop = await makeCoop();
      await MembershipModel.create({ user: u.id, coop: coop._id, role: 'owner' });
      await assert.rejects(service.deleteAccount(u.id, PASSWORD), { code: 'last_owner' });
      assert.ok(!(await UserModel.findById(u.id).lean())!.deletedAt);
    });
  });

  describe('tokens', () => {
    it('are stored hashed and used once, even by two requests at the same instant', async () => {
      const u = await makeUser();
      const token = await issueToken('reset', u.id, 60_000);
      assert.equal(await AccountTokenModel.countDocuments({ _id: token as never }), 0);
      assert.equal(await AccountTokenModel.countDocuments({ _id: hashToken(token) as never }), 1);
      const results = await Promise.all(Array.from({ length: 5 }, () => consumeToken('reset', token)));
      assert.equal(results.filter(Boolean).length, 1);
    });

    it('of another kind do not work', async () => {
      const u = await makeUser();
      const token = await issueToken('verify', u.id, 60_000);
      assert.equal(await consumeToken('reset', token), null);
    });

    it('are swept once expired', async () => {
      const u = await makeUser();
      const live = await issueToken('verify', u.id, 60_000);
      const old = await issueToken('verify', u.id, -1);
      assert.ok((await sweepExpiredTokens()) >= 1);
      assert.equal(await AccountTokenModel.countDocuments({ _id: hashToken(old) as never }), 0);
      assert.equal(await AccountTokenModel.countDocuments({ _id: hashToken(live) as never }), 1);
    });
  });

  describe('authenticate', () => {
    it('takes about as long for an unknown email as for a known one', async () => {
      const u = await makeUser();
      await service.authenticate('warm-up@example.test', 'x'); // the decoy hash is made once
      const time = async (email: string) => {
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < 3; i++) await service.authenticate(email, 'wrong-password');
        return Number(process.hrtime.bigint() - t0) / 3e6;
      };
      const known = await time(u.email);
      const unknown = await time(`nobody-${suffix()}@example.test`);
      assert.ok(unknown > known / 3 && unknown < known * 3, `known ${known} ms, unknown ${unknown} ms`);
    });
  });
});

describe('locales', () => {
  it('have the same keys in Italian and English', () => {
    const it = localeKeys('it').filter((k) => /^(accounts|members)\./.test(k));
    const en = localeKeys('en').filter((k) => /^(accounts|members)\./.test(k));
    assert.ok(it.length > 50);
    assert.deepEqual(it, en);
  });
});
