import type { Express } from 'express';
import assert from 'node:assert/strict';
import request from 'supertest';
import { buildApp, csrfFrom } from '../support/app';
import { createServer, type AddressInfo } from 'node:net';
import { StripeGateway } from '../../src/payments';
import { holdTransfer, getTransfer, type Transfers } from '../../src/payouts/transfers.service';
import { transferId } from '../../src/payouts/transfer.model';
import { LedgerEntryModel } from '../../src/payouts/ledger.model';
import { resumeBulkJobs } from '../../src/payouts/bulk.service';
import { BulkJobModel } from '../../src/payouts/bulk.model';
import { AuditEntryModel } from '../../src/platform/audit.model';
import { listShareMoney } from '../../src/payouts/balances.service';
import { OrderModel } from '../../src/orders/order.model';
import { CoopShareModel } from '../../src/orders/coop-share.model';
import { testConfig } from '../support/app';
import { signedIn } from './helpers';
import { CountingGateway, makePaidOrder, switchableGateway } from '../payouts/fixtures';
import { makePayableCoop, makeUser } from '../support/factories';

/** The app's transfers; they go through whichever gateway a test puts behind `stripe`. */
let transfers: Transfers;
let stripe: ReturnType<typeof switchableGateway>;

/** A paid one-co-op order whose transfer an admin holds. */
async function heldTransfer() {
  const coop = await makePayableCoop();
  const order = await makePaidOrder([{ coopId: coop.id, lines: [{ unitCents: 1000, quantity: 2 }], shippingCents: 500 }]);
  const id = transferId(order.orderId, coop.id);
  await transfers.scheduleTransfersForOrder(order.orderId).catch(() => undefined);
  // The policy may have sent it at once; start from a held transfer whatever the policy.
  const t = await getTransfer(id);
  if (t && t.status !== 'sent') await holdTransfer(id, 'checking the co-op');
  return { coop, order, id };
}

describe('admin payouts', () => {
  let app: Express;
  let gw: CountingGateway;
  before(() => {
    stripe = switchableGateway(new CountingGateway());
    ({
      app,
      services: {
        payouts: { transfers },
      },
    } = buildApp({ payments: stripe }));
  });
  beforeEach(() => {
    gw = new CountingGateway();
    gw.failTransfers = 1_000; // nothing leaves while the fixtures are made
    stripe.use(gw);
  });

  async function admin() {
    const a = await makeUser({ isAdmin: true });
    return signedIn(app, a.id);
  }

  describe('GET /admin/payouts', () => {
    it('lists the share with its state and filters by state', async () => {
      const { order } = await heldTransfer();
      const agent = await admin();
      const res = await agent.get('/admin/payouts?state=held').expect(200);
      assert.match(res.text, new RegExp(order.number));
      const sent = await agent.get('/admin/payouts?state=sent').expect(200);
      assert.doesNotMatch(sent.text, new RegExp(order.number));
    });

    it('does not count checkouts never paid, or cancelled, as money waiting', async () => {
      const coop = await makePayableCoop();
      const paid = await makePaidOrder([{ coopId: coop.id, lines: [{ unitCents: 1000, quantity: 1 }] }]);
      await transfers.scheduleTransfersForOrder(paid.orderId);
      const abandoned = await makePaidOrder([{ coopId: coop.id, lines: [{ unitCents: 7000, quantity: 1 }] }]);
      const cancelled = await makePaidOrder([{ coopId: coop.id, lines: [{ unitCents: 5000, quantity: 1 }] }]);
      for (const [o, status] of [
        [abandoned, 'pending_payment'],
        [cancelled, 'cancelled'],
      ] as const) {
        await OrderModel.updateOne({ _id: o.orderId }, { $set: { status }, $unset: { 'payment.paidAt': 1, 'payment.chargeId': 1 } });
        await CoopShareModel.updateOne({ _id: `${o.orderId}:${coop.id}` }, { $set: { status } });
        await transfers.scheduleTransfersForOrder(o.orderId);
      }
      const res = await (await admin()).get(`/admin/payouts?coop=${coop.id}`).expect(200);
      assert.match(res.text, new RegExp(paid.number));
      assert.doesNotMatch(res.text, new RegExp(abandoned.number));
      assert.doesNotMatch(res.text, new RegExp(cancelled.number));
      const { totals, rows } = await listShareMoney({ coopId: coop.id });
      assert.deepEqual(
        rows.map((r) => r.orderNumber),
        [paid.number],
      );
      assert.deepEqual(totals.waiting_payment, { count: 0, amount: 0 });
    });

    it('is closed to non-admins', async () => {
      const u = await makeUser();
      await (await signedIn(app, u.id)).get('/admin/payouts').expect(403);
      await request(app).get('/admin/payouts').expect(303);
    });
  });

  describe('POST /admin/payouts/t/:id/release', () => {
    describe('without the confirmation', () => {
      it('responds 422 and sends nothing', async () => {
        const { id } = await heldTransfer();
        gw.failTransfers = 0;
        const agent = await admin();
        const page = await agent.get(`/admin/payouts/t/${id}`).expect(200);
        await agent
          .post(`/admin/payouts/t/${id}/release`)
          .type('form')
          .send({ _csrf: csrfFrom(page.text) })
          .expect(422);
        assert.equal(gw.transfers, 0);
      });
    });

    describe('pressed twice', () => {
      it('makes one transfer, and the second press is refused', async () => {
        const { id } = await heldTransfer();
        gw.failTransfers = 0;
        const agent = await admin();
        const page = await agent.get(`/admin/payouts/t/${id}`).expect(200);
        const csrf = csrfFrom(page.text);
        await agent.post(`/admin/payouts/t/${id}/release`).type('form').send({ _csrf: csrf, confirm: 'yes' }).expect(303);
        await agent.post(`/admin/payouts/t/${id}/release`).type('form').send({ _csrf: csrf, confirm: 'yes' }).expect(409);
        assert.equal(gw.transfers, 1);
        assert.equal((await getTransfer(id))!.status, 'sent');
        assert.equal(await LedgerEntryModel.countDocuments({ _id: id, kind: 'transfer' }), 1);
        assert.equal(await AuditEntryModel.countDocuments({ target: id, action: 'transfer.release' }), 1);
        // The state and the audit log in words.
        const after = await agent.get(`/admin/payouts/t/${id}`).expect(200);
        assert.match(after.text, /<dd class="state-sent">Trasferito<\/dd>/);
        assert.doesNotMatch(after.text, /released by/);
        const log = await agent.get('/admin/audit').expect(200);
        assert.match(log.text, /<td>Trasferimento sbloccato<\/td>/);
        assert.doesNotMatch(log.text, /<td>(<code>)?transfer\.release/);
      });
    });

    describe('by two admins at once', () => {
      it('makes one transfer', async () => {
        const { id } = await heldTransfer();
        gw.failTransfers = 0;
        const [a, b] = [await admin(), await admin()];
        const [pa, pb] = [await a.get(`/admin/payouts/t/${id}`), await b.get(`/admin/payouts/t/${id}`)];
        const results = await Promise.all(
          Array.from({ length: 4 }, () => [
            a
              .post(`/admin/payouts/t/${id}/release`)
              .type('form')
              .send({ _csrf: csrfFrom(pa.text), confirm: 'yes' }),
            b
              .post(`/admin/payouts/t/${id}/release`)
              .type('form')
              .send({ _csrf: csrfFrom(pb.text), confirm: 'yes' }),
          ]).flat(),
        );
        // One claims the attempt; the others find it being sent (303, "not sent yet") or sent (409).
        for (const r of results) assert.ok([303, 409].includes(r.status));
        assert.equal(gw.transfers, 1);
        assert.equal(await LedgerEntryModel.countDocuments({ _id: id }), 1);
      });
    });

    describe('when Stripe answers an error', () => {
      it('marks the share failed with the reason, and a retry succeeds once', async () => {
        const { id } = await heldTransfer();
        gw.failTransfers = 1;
        const agent = await admin();
        let page = await agent.get(`/admin/payouts/t/${id}`).expect(200);
        await agent
          .post(`/admin/payouts/t/${id}/release`)
          .type('form')
          .send({ _csrf: csrfFrom(page.text), confirm: 'yes' })
          .expect(303);
        const failed = await getTransfer(id);
        assert.equal(failed!.status, 'failed');
        assert.equal(failed!.lastError!.code, 'balance_insufficient');
        page = await agent.get(`/admin/payouts/t/${id}`).expect(200);
        // The code reaches the admin as words, with the provider's own detail beside them.
        assert.match(page.text, /Saldo della piattaforma insufficiente/);
        assert.doesNotMatch(page.text, /balance_insufficient/);
        await agent
          .post(`/admin/payouts/t/${id}/retry`)
          .type('form')
          .send({ _csrf: csrfFrom(page.text), confirm: 'yes' })
          .expect(303);
        await agent
          .post(`/admin/payouts/t/${id}/retry`)
          .type('form')
          .send({ _csrf: csrfFrom(page.text), confirm: 'yes' })
          .expect(409);
        assert.equal((await getTransfer(id))!.status, 'sent');
        assert.equal(gw.transfers, 1);
        assert.deepEqual(gw.transferKeys, [id]);
      });
    });

    describe('when Stripe does not answer', () => {
      it('marks the share failed, and a retry succeeds once', async () => {
        const { id } = await heldTransfer();
        // A server that accepts the connection and never answers.
        const silent = createServer(() => undefined);
        await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
        const port = (silent.address() as AddressInfo).port;
        stripe.use(new CountingGateway(new StripeGateway({ ...testConfig().stripe, port }, { maxNetworkRetries: 0, timeout: 500 })));
        const agent = await admin();
        let page = await agent.get(`/admin/payouts/t/${id}`).expect(200);
        await agent
          .post(`/admin/payouts/t/${id}/release`)
          .type('form')
          .send({ _csrf: csrfFrom(page.text), confirm: 'yes' })
          .expect(303);
        const failed = await getTransfer(id);
        assert.equal(failed!.status, 'failed');
        assert.match(failed!.lastError!.code, /timeout|unavailable|connection/);
        gw = new CountingGateway();
        stripe.use(gw);
        page = await agent.get(`/admin/payouts/t/${id}`).expect(200);
        await agent
          .post(`/admin/payouts/t/${id}/retry`)
          .type('form')
          .send({ _csrf: csrfFrom(page.text), confirm: 'yes' })
          .expect(303);
        assert.equal((await getTransfer(id))!.status, 'sent');
        assert.equal(gw.transfers, 1);
        silent.close();
      });
    });
  });

  describe('POST /admin/payouts/t/:id/hold', () => {
    describe('without a reason', () => {
      it('responds 422 with a message on the field', async () => {
        const coop = await makePayableCoop();
        const order = await makePaidOrder([{ coopId: coop.id, lines: [{ unitCents: 700, quantity: 1 }] }]);
        await transfers.scheduleTransfersForOrder(order.orderId); // fails at Stripe (fixture): a failed transfer can be held
        const id = transferId(order.orderId, coop.id);
        const agent = await admin();
        const page = await agent.get(`/admin/payouts/t/${id}`).expect(200);
        const res = await agent
          .post(`/admin/payouts/t/${id}/hold`)
          .type('form')
          .send({ _csrf: csrfFrom(page.text), confirm: 'yes', reason: '' })
          .expect(422);
        assert.match(res.text, /id="reason-error"/);
        await agent
          .post(`/admin/payouts/t/${id}/hold`)
          .type('form')
          .send({ _csrf: csrfFrom(page.text), confirm: 'yes', reason: 'Reclamo del cliente' })
          .expect(303);
        const t = await getTransfer(id);
        assert.equal(t!.status, 'held');
        assert.equal(t!.holdReason, 'Reclamo del cliente');
      });
    });
  });

  describe('POST /admin/payouts/bulk', () => {
    it('releases the chosen transfers in a job that shows progress and can be resumed', async () => {
      const one = await heldTransfer();
      const two = await heldTransfer();
      gw.failTransfers = 0;
      const agent = await admin();
      const page = await agent.get('/admin/payouts?state=held').expect(200);
      const res = await agent
        .post('/admin/payouts/bulk')
        .type('form')
        .send({ _csrf: csrfFrom(page.text), ids: [one.id, two.id], confirm: 'yes' })
        .expect(303);
      const jobId = String(res.headers.location).split('/').pop()!;
      let job = await BulkJobModel.findById(jobId).lean();
      for (let i = 0; i < 100 && job!.status !== 'done'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        job = await BulkJobModel.findById(jobId).lean();
      }
      assert.equal(job!.status, 'done');
      assert.deepEqual(
        job!.items.map((i) => i.state),
        ['sent', 'sent'],
      );
      assert.equal(gw.transfers, 2);
      const progress = await agent.get(`/admin/payouts/bulk/${jobId}`).expect(200);
      assert.doesNotMatch(progress.text, /http-equiv="refresh"/);
      assert.match(progress.text, /<progress[^>]*value="2"/);
      assert.match(progress.text, /<td class="state-sent">Trasferito<\/td><td>Trasferito<\/td>/);
    });

    it('is finished by the bulk-release job when the process that started it stopped', async () => {
      const one = await heldTransfer();
      gw.failTransfers = 0;
      const admin1 = await makeUser({ isAdmin: true });
      const jobId = '00000000-0000-4000-9000-' + one.order.orderId.slice(-12);
      await BulkJobModel.create({
        _id: jobId,
        items: [
          { transferId: one.id, state: 'sent', message: '' },
          { transferId: one.id, state: 'queued' },
        ],
        createdBy: admin1.id,
      });
      await resumeBulkJobs(transfers);
      const job = await BulkJobModel.findById(jobId).lean();
      assert.equal(job!.status, 'done');
      assert.equal(job!.items[1]!.state, 'sent');
      assert.equal(gw.transfers, 1);
    });

    it('shows a page that refreshes itself while the job runs', async () => {
      const one = await heldTransfer();
      const admin1 = await makeUser({ isAdmin: true });
      await BulkJobModel.create({
        _id: '00000000-0000-4000-8000-' + one.order.orderId.slice(-12),
        items: [{ transferId: one.id, state: 'queued' }],
        createdBy: admin1.id,
      });
      const agent = await signedIn(app, admin1.id);
      const page = await agent.get(`/admin/payouts/bulk/00000000-0000-4000-8000-${one.order.orderId.slice(-12)}`).expect(200);
      assert.match(page.text, /<meta http-equiv="refresh" content="2">/);
    });

    describe('without the confirmation', () => {
      it('starts nothing', async () => {
        const one = await heldTransfer();
        const agent = await admin();
        const page = await agent.get('/admin/payouts?state=held').expect(200);
        const before = await BulkJobModel.countDocuments({});
        await agent
          .post('/admin/payouts/bulk')
          .type('form')
          .send({ _csrf: csrfFrom(page.text), ids: [one.id] })
          .expect(303);
        assert.equal(await BulkJobModel.countDocuments({}), before);
      });
    });
  });

  describe('POST /admin/payouts/settings', () => {
    it('saves the hold policy with confirmation and audits it', async () => {
      const agent = await admin();
      const page = await agent.get('/admin/payouts/settings').expect(200);
      await agent
        .post('/admin/payouts/settings')
        .type('form')
        .send({ _csrf: csrfFrom(page.text), holdPolicy: 'immediate', holdDays: '14' })
        .expect(422);
      await agent
        .post('/admin/payouts/settings')
        .type('form')
        .send({ _csrf: csrfFrom(page.text), holdPolicy: 'immediate', holdDays: '14', confirm: 'yes' })
        .expect(303);
      assert.ok(await AuditEntryModel.exists({ action: 'payouts.settings' }));
      // The rule in one sentence, without days that do not apply to it.
      const payouts = await agent.get('/admin/payouts').expect(200);
      assert.match(payouts.text, /Regola di trattenuta: ogni quota va alla cooperativa subito dopo il pagamento\./);
      assert.doesNotMatch(payouts.text, /giorni\)/);
    });
  });

  describe('GET /admin/balances/:coopId', () => {
    it('shows earned, transferred, held and owed', async () => {
      const { coop } = await heldTransfer();
      const agent = await admin();
      const res = await agent.get(`/admin/balances/${coop.id}`).expect(200);
      assert.match(res.text, /23,00/); // net: 20 € goods + 5 € shipping − 2 € commission
    });
  });
});
