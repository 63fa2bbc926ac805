import assert from 'node:assert/strict';
import type { Express } from 'express';
import { Types } from 'mongoose';
import { buildApp } from '../support/app';
import { makeCoop, makeListedProduct, makeUser, unique, type TestCoop } from '../support/factories';
import { memberOf, signedIn, tokenFor } from '../workspace/workspace.fixtures';
import { PromotionModel } from '../../src/promotions/promotion.model';
import { AuditEntryModel as AuditModel } from '../../src/platform/audit.model';

type Agent = Awaited<ReturnType<typeof signedIn>>;
/** Posts a form with a token read first from `page` (the agent sends the cookies it has when the request is made). */
async function post(agent: Agent, url: string, page: string, body: Record<string, unknown>) {
  const csrf = await tokenFor(agent, page);
  return agent
    .post(url)
    .type('form')
    .send({ _csrf: csrf, ...body });
}

/** The response, after checking its status. */
function status<T extends { status: number }>(res: T, expected: number): T {
  assert.equal(res.status, expected);
  return res;
}

describe('promotion pages: who creates what', () => {
  let app: Express;
  let coop: TestCoop;
  let other: TestCoop;
  before(async () => {
    app = buildApp().app;
    coop = await makeCoop();
    other = await makeCoop();
  });

  const form = (over: Record<string, string | string[]> = {}) => ({
    type: 'code',
    code: `W${unique().toUpperCase()}`,
    name: 'Raccolto',
    scope: 'all',
    valueKind: 'percent',
    percent: '10',
    maxUses: '20',
    ...over,
  });

  it('a manager makes a code funded by the co-op, on its own goods; staff may not', async () => {
    const { agent } = await memberOf(app, coop.id, 'manager');
    const page = `/workspace/${coop.slug}/promotions`;
    const csrf = await tokenFor(agent, page);
    const body = form({ funder: 'platform', funderCoop: other.id, uses: '0' }); // forged fields are not read
    await agent
      .post(page)
      .type('form')
      .send({ _csrf: csrf, ...body })
      .expect(303);
    const made = (await PromotionModel.findOne({ code: body.code }).lean())!;
    assert.deepEqual([made.funder.kind, String(made.funder.coop), made.uses, made.value.bps], ['coop', coop.id, 0, 1000]);
    const listed = await agent.get(page).expect(200);
    assert.match(listed.text, new RegExp(body.code as string));
    const { agent: staff } = await memberOf(app, coop.id, 'staff');
    await staff.get(page).expect(403);
  });

  it("refuses what is over the admin's limits or names another co-op's goods, and keeps the form", async () => {
    const { agent } = await memberOf(app, coop.id, 'manager');
    const page = `/workspace/${coop.slug}/promotions`;
    const over = status(await post(agent, page, page, form({ percent: '80' })), 422);
    assert.match(over.text, /Supera il limite fissato da Filiera/);
    assert.match(over.text, /value="80"/);
    const foreign = await makeListedProduct(other);
    const theirs = await status(await post(agent, page, page, { ...form({ scope: 'products', products: String(foreign._id) }) }), 422);
    assert.match(theirs.text, /solo sui suoi prodotti/);
    const noLimit = await status(await post(agent, page, page, { ...form({ maxUses: '' }) }), 422);
    assert.match(noLimit.text, /Supera il limite/);
  });

  it("a manager cannot switch off another co-op's promotion (404), only its own", async () => {
    const { agent } = await memberOf(app, coop.id, 'manager');
    const theirs = await PromotionModel.create({
      code: null,
      name: 'Altro',
      funder: { kind: 'coop', coop: other._id, coopName: other.name },
      scope: { kind: 'all' },
      value: { kind: 'percent', bps: 500 },
    });
    const page = `/workspace/${coop.slug}/promotions`;
    await status(await post(agent, `${page}/${String(theirs._id)}/active`, page, { active: 'no' }), 404);
    assert.equal((await PromotionModel.findById(theirs._id).lean())!.active, true);
  });

  it('an admin makes platform codes and sets the co-op limits; both are audited; others are refused', async () => {
    const admin = await makeUser({ isAdmin: true });
    const agent = await signedIn(app, admin.id);
    const body = form({ valueKind: 'fixed', amount: '5,00', percent: '' });
    await status(await post(agent, '/admin/promotions', '/admin/promotions', { ...body }), 303);
    const made = (await PromotionModel.findOne({ code: body.code }).lean())!;
    assert.deepEqual([made.funder.kind, made.value.cents], ['platform', 500]);
    await status(
      await post(agent, '/admin/promotions/limits', '/admin/promotions', { maxPercent: '25', maxFixed: '15,00', maxUses: '300' }),
      303,
    );
    const page = await agent.get('/admin/promotions').expect(200);
    assert.match(page.text, /al massimo 25% o 15,00\s€ di sconto, e al massimo 300 utilizzi/);
    const actions = (await AuditModel.find({ actor: new Types.ObjectId(admin.id) }).lean()).map((a) => a.action).sort();
    assert.deepEqual(actions, ['promotion.create', 'promotions.limits']);
    await status(
      await post(agent, '/admin/promotions/limits', '/admin/promotions', { maxPercent: '30', maxFixed: '20,00', maxUses: '500' }),
      303,
    );
    const someone = await signedIn(app, (await makeUser()).id);
    await someone.get('/admin/promotions').expect(403);
  });
});
