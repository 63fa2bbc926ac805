import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import {
  PromotionBody,
  claimUses,
  createPromotion,
  releaseUses,
  markUsesPaid,
  findForCart,
  type PromotionInput,
} from '../../src/promotions';
import { PromotionModel, PromotionUseModel } from '../../src/promotions/promotion.model';
import { trusted } from '../../src/platform/db';
import { unique } from '../support/factories';

const admin = { userId: String(new Types.ObjectId()), admin: true as const };

async function makeCode(over: Record<string, string> = {}) {
  const code = `T${unique().toUpperCase()}`;
  const input: PromotionInput = PromotionBody.parse({
    type: 'code',
    code,
    name: 'Test',
    scope: 'all',
    valueKind: 'fixed',
    amount: '1,00',
    ...over,
  });
  const p = await createPromotion(admin, input);
  return { id: String(p._id), code };
}

const claim = (promotionId: string, orderId: string, customer = `u:${unique()}`, onStep?: Parameters<typeof claimUses>[0]['onStep']) =>
  claimUses({
    orderId,
    promotions: [{ promotionId, discountCents: 100 }],
    customer,
    salesCents: 1000,
    hasPriorOrders: async () => false,
    onStep,
  });

const usesOf = async (id: string) => (await PromotionModel.findById(id).lean())!.uses;

describe('promotions: uses claimed exactly', () => {
  it('300 orders racing for a code with 100 uses left: exactly 100 hold it', async function () {
    this.timeout(60_000);
    const { id } = await makeCode({ maxUses: '150' });
    await PromotionModel.updateOne({ _id: id }, { $set: { uses: 50 } });
    const orderIds = Array.from({ length: 300 }, () => String(new Types.ObjectId()));
    const results = await Promise.allSettled(orderIds.map((o) => claim(id, o)));
    const won = results.filter((r) => r.status === 'fulfilled').length;
    const lost = results.filter((r) => r.status === 'rejected');
    assert.equal(won, 100);
    assert.ok(lost.every((r) => (r as PromiseRejectedResult).reason.code === 'promotion_used_up'));
    assert.equal(await usesOf(id), 150);
    const held = await PromotionUseModel.countDocuments({ promotion: new Types.ObjectId(id), kind: 'use', state: 'held' });
    assert.equal(held, 100);
    // No half-done marks left behind.
    const doc = await PromotionModel.findById(id).lean();
    assert.equal(Object.keys(doc!.pending ?? {}).length, 0);
    // The cart now says so.
    assert.equal((await findForCart((await PromotionModel.findById(id).lean())!.code)).codeError, 'used_up');
  });

  it('a customer limit holds under concurrency: one customer, ten orders at once, per-customer 2 → two', async () => {
    const { id } = await makeCode({ perCustomer: '2' });
    const customer = `e:${unique()}@example.test`;
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => claim(id, String(new Types.ObjectId()), customer)));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 2);
    assert.ok(
      results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason.code === 'promotion_customer_limit'),
    );
    assert.equal(await usesOf(id), 2);
  });

  it('refuses a first-order code to a customer with an order', async () => {
    const { id } = await makeCode({ firstOrderOnly: 'yes' });
    await assert.rejects(
      claimUses({
        orderId: String(new Types.ObjectId()),
        promotions: [{ promotionId: id, discountCents: 100 }],
        customer: 'u:x',
        salesCents: 1,
        hasPriorOrders: async () => true,
      }),
      { code: 'promotion_first_order' },
    );
    assert.equal(await usesOf(id), 0);
  });

  for (const step of ['use_written', 'slot_taken', 'counted'] as const) {
    it(`a claim killed after "${step}" is finished by running it again, counted once`, async () => {
      const { id } = await makeCode({ maxUses: '1', perCustomer: '1' });
      const orderId = String(new Types.ObjectId());
      const customer = `u:${unique()}`;
      // The first run stops for good at that step, as a process killed there would: nothing after it runs, no clean-up.
      let reached!: () => void;
      const stopped = new Promise<void>((r) => (reached = r));
      void claim(id, orderId, customer, (s) => {
        if (s !== step) return;
        reached();
        return new Promise<void>(() => undefined);
      });
      await stopped;
      await claim(id, orderId, customer);
      await claim(id, orderId, customer); // and again: nothing more
      assert.equal(await usesOf(id), 1);
      const use = await PromotionUseModel.findById(`use:${id}:${orderId}`).lean();
      assert.equal(use!.state, 'held');
      assert.equal(await PromotionUseModel.countDocuments({ promotion: new Types.ObjectId(id), kind: 'slot' }), 1);
      // The one use left went to this order: another order is refused.
      await assert.rejects(claim(id, String(new Types.ObjectId())), { code: 'promotion_used_up' });
    });
  }

  it('a cancelled order gives its use back once, however often (or at once) it is released', async () => {
    const { id } = await makeCode({ maxUses: '1', perCustomer: '1' });
    const orderId = String(new Types.ObjectId());
    const customer = `u:${unique()}`;
    await claim(id, orderId, customer);
    assert.equal(await usesOf(id), 1);
    await Promise.all(Array.from({ length: 10 }, () => releaseUses(orderId)));
    await releaseUses(orderId);
    assert.equal(await usesOf(id), 0);
    assert.equal(await PromotionUseModel.countDocuments({ promotion: new Types.ObjectId(id), kind: 'slot' }), 0);
    // The same customer may use it again on a new order.
    await claim(id, String(new Types.ObjectId()), customer);
    assert.equal(await usesOf(id), 1);
  });

  it('a release killed half way is finished by the next one, counting down once', async () => {
    const { id } = await makeCode({ maxUses: '5' });
    const orderId = String(new Types.ObjectId());
    await claim(id, orderId);
    // Stopped after the count went down, before the use was marked released.
    await PromotionUseModel.updateOne({ _id: `use:${id}:${orderId}` }, { $set: { state: 'releasing', releasedFrom: 'held' } });
    await PromotionModel.updateOne({ _id: id }, { $inc: { uses: -1 }, $set: { [`released.${orderId}`]: true } });
    await releaseUses(orderId);
    await releaseUses(orderId);
    assert.equal(await usesOf(id), 0);
    assert.equal((await PromotionUseModel.findById(`use:${id}:${orderId}`).lean())!.state, 'released');
  });

  it('a paid order keeps its use', async () => {
    const { id } = await makeCode({ maxUses: '5' });
    const orderId = String(new Types.ObjectId());
    await claim(id, orderId);
    await markUsesPaid(orderId);
    await releaseUses(orderId);
    assert.equal(await usesOf(id), 1);
    assert.equal(await PromotionUseModel.countDocuments({ _id: trusted({ $in: [`use:${id}:${orderId}`] }), state: 'paid' }), 1);
  });

  it('an order cancelled and then paid late counts its use again, once', async () => {
    const { id } = await makeCode({ maxUses: '1' });
    const orderId = String(new Types.ObjectId());
    await claim(id, orderId);
    await releaseUses(orderId);
    // Someone else took the freed use meanwhile.
    await claim(id, String(new Types.ObjectId()));
    await Promise.all([markUsesPaid(orderId), markUsesPaid(orderId)]);
    await markUsesPaid(orderId);
    // The late buyer paid the discounted price: both uses count, past the limit.
    assert.equal(await usesOf(id), 2);
    assert.equal((await PromotionUseModel.findById(`use:${id}:${orderId}`).lean())!.state, 'paid');
    assert.deepEqual(Object.keys((await PromotionModel.findById(id).lean())!.recounted ?? {}), [orderId]);
  });
});
