import type { Express } from 'express';
import assert from 'node:assert/strict';
import { buildApp, csrfFrom } from '../support/app';
import { CoopModel } from '../../src/coops/coop.model';
import type { ConnectedAccountState, PaymentGateway } from '../../src/payments/gateway';
import { memberOf } from './workspace.fixtures';
import { makeCoop } from '../support/factories';

/** A gateway that records calls and answers with the account state the test sets. */
function fakeGateway() {
  const calls: { method: string; args: unknown }[] = [];
  let links = 0;
  const state: ConnectedAccountState = {
    id: 'acct_test123',
    transfersActive: false,
    payoutsEnabled: false,
    detailsSubmitted: false,
    currentlyDue: ['external_account'],
    pastDue: [],
    disabledReason: 'requirements.past_due',
  };
  const gateway = {
    kind: 'stripe',
    async createConnectedAccount(args: unknown) {
      calls.push({ method: 'createConnectedAccount', args });
      return { ...state };
    },
    async retrieveConnectedAccount(id: string) {
      calls.push({ method: 'retrieveConnectedAccount', args: id });
      return { ...state };
    },
    async createOnboardingLink(args: unknown) {
      calls.push({ method: 'createOnboardingLink', args });
      return { url: `https://connect.stripe.test/setup/${++links}` };
    },
    async createDashboardLink(id: string) {
      calls.push({ method: 'createDashboardLink', args: id });
      return { url: 'https://connect.stripe.test/express/login' };
    },
  } as unknown as PaymentGateway;
  return { gateway, calls, state };
}

describe('co-op workspace payouts connection', () => {
  describe('against stripe-mock', () => {
    let app: Express;
    before(() => {
      app = buildApp().app;
    });

    it('creates the connected account once and sends the owner to hosted onboarding', async () => {
      const coop = await makeCoop({ status: 'approved' });
      const { agent } = await memberOf(app, coop.id, 'owner');
      const page = await agent.get(`/workspace/${coop.slug}/payouts`).expect(200);
      assert.match(page.text, /non collegato/);
      const res = await agent
        .post(`/workspace/${coop.slug}/payouts/connect`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text) })
        .expect(303);
      assert.match(String(res.headers.location), /^https:\/\//);
      const saved = await CoopModel.findById(coop.id).lean();
      assert.match(saved?.stripeAccountId ?? '', /^acct_/);
    });

    it('refuses while the co-op is pending (409), creating nothing', async () => {
      const coop = await makeCoop({ status: 'pending' });
      const { agent } = await memberOf(app, coop.id, 'owner');
      const page = await agent.get(`/workspace/${coop.slug}/payouts`).expect(200);
      assert.match(page.text, /dopo l&#39;approvazione/);
      await agent
        .post(`/workspace/${coop.slug}/payouts/connect`)
        .type('form')
        .send({ _csrf: csrfFrom((await agent.get('/join')).text) })
        .expect(409);
      assert.equal((await CoopModel.findById(coop.id).lean())?.stripeAccountId, undefined);
    });
  });

  describe('through the onboarding journey', () => {
    let app: Express;
    let fake: ReturnType<typeof fakeGateway>;
    before(() => {
      fake = fakeGateway();
      const built = buildApp({ payments: fake.gateway });
      app = built.app;
    });

    it('uses the idempotency key account:<coopId>, makes a new link on refresh, and stores the state read on return', async () => {
      const coop = await makeCoop({ status: 'approved' });
      const { agent } = await memberOf(app, coop.id, 'owner');
      const token = csrfFrom((await agent.get(`/workspace/${coop.slug}/payouts`).expect(200)).text);
      const first = await agent.post(`/workspace/${coop.slug}/payouts/connect`).type('form').send({ _csrf: token }).expect(303);
      const created = fake.calls.find((c) => c.method === 'createConnectedAccount')!.args as { idempotencyKey: string; coopId: string };
      assert.equal(created.idempotencyKey, `account:${coop.id}`);
      const linkArgs = fake.calls.find((c) => c.method === 'createOnboardingLink')!.args as { refreshUrl: string; returnUrl: string };
      assert.match(linkArgs.refreshUrl, new RegExp(`/workspace/${coop.slug}/payouts/refresh$`));
      assert.match(linkArgs.returnUrl, new RegExp(`/workspace/${coop.slug}/payouts/return$`));

      // A used or expired link brings the owner to the refresh URL: a new link.
      const refreshed = await agent.get(`/workspace/${coop.slug}/payouts/refresh`).expect(303);
      assert.notEqual(refreshed.headers.location, first.headers.location);

      // Coming back proves nothing: the account is read, and what is due is shown.
      await agent.get(`/workspace/${coop.slug}/payouts/return`).expect(303);
      let page = await agent.get(`/workspace/${coop.slug}/payouts`).expect(200);
      assert.match(page.text, /servono altre informazioni/);
      assert.match(page.text, /il conto bancario \(IBAN\) su cui ricevere i bonifici/);
      assert.doesNotMatch(page.text, /external_account/);

      // Connecting again does not make a second account.
      await agent.post(`/workspace/${coop.slug}/payouts/connect`).type('form').send({ _csrf: token }).expect(303);
      assert.equal(fake.calls.filter((c) => c.method === 'createConnectedAccount').length, 1);

      Object.assign(fake.state, {
        transfersActive: true,
        payoutsEnabled: true,
        detailsSubmitted: true,
        currentlyDue: [],
        disabledReason: '',
      });
      await agent.get(`/workspace/${coop.slug}/payouts/return`).expect(303);
      page = await agent.get(`/workspace/${coop.slug}/payouts`).expect(200);
      assert.match(page.text, /pronto a ricevere i pagamenti/);
      const saved = await CoopModel.findById(coop.id).lean();
      assert.equal(saved?.payouts?.transfersActive, true);

      const dash = await agent.post(`/workspace/${coop.slug}/payouts/dashboard`).type('form').send({ _csrf: token }).expect(303);
      assert.equal(dash.headers.location, 'https://connect.stripe.test/express/login');
    });
  });
});
