import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { testConfig } from '../support/app';
import { testEngines } from '../support/engines';
import { StripeGateway } from '../../src/payments/stripe-gateway';
import { PaymentProviderError } from '../../src/payments/gateway';

describe('StripeGateway against stripe-mock', () => {
  let gw: StripeGateway;
  before(() => {
    gw = new StripeGateway(testConfig().stripe);
  });

  const checkoutInput = () => ({
    orderId: '665f1c2e9a1b2c3d4e5f6a7b',
    orderNumber: 'FIL-2026-000001',
    lines: [
      { name: 'Olio extravergine 0,5 l', unitAmount: 1290, quantity: 2, metadata: { sku: 'OLIO-05' } },
      { name: 'Spedizione', unitAmount: 690, quantity: 1 },
    ],
    customerEmail: 'buyer@example.test',
    locale: 'it' as const,
    successUrl: 'http://localhost/orders/x?session_id={CHECKOUT_SESSION_ID}',
    cancelUrl: 'http://localhost/cart',
    expiresAt: new Date(Date.now() + 60 * 60_000),
    idempotencyKey: `checkout:${Math.random()}`,
  });

  describe('createCheckoutSession', () => {
    it('sends a well-formed session and reads its id and url', async () => {
      const s = await gw.createCheckoutSession(checkoutInput());
      assert.match(s.id, /^cs_/);
      assert.equal(typeof s.url, 'string');
      assert.ok(s.expiresAt instanceof Date);
    });
  });

  describe('retrieveCheckoutSession', () => {
    it('expands the charge and reads the payment fields', async () => {
      const c = await gw.retrieveCheckoutSession('cs_test_123');
      assert.equal(c.sessionId, 'cs_test_123');
      assert.ok(['paid', 'unpaid', 'no_payment_required'].includes(c.paymentStatus));
      assert.equal(typeof c.amountTotal, 'number');
    });
  });

  describe('money movements', () => {
    it('creates a transfer with a source transaction', async () => {
      const t = await gw.createTransfer({
        amount: 1000,
        destination: 'acct_123',
        transferGroup: 'FIL-2026-000001',
        sourceTransaction: 'ch_123',
        metadata: { orderId: 'o', coopId: 'c' },
        idempotencyKey: `transfer:${Math.random()}`,
      });
      assert.match(t.id, /^tr_/);
    });

    it('creates a refund and a reversal', async () => {
      const r = await gw.createRefund({
        paymentIntentId: 'pi_123',
        amount: 500,
        reason: 'requested_by_customer',
        metadata: { orderId: 'o' },
        idempotencyKey: `refund:${Math.random()}`,
      });
      assert.match(r.id, /^re_/);
      assert.equal(typeof r.status, 'string');
      const v = await gw.createReversal({
        transferId: 'tr_123',
        amount: 200,
        metadata: { orderId: 'o' },
        idempotencyKey: `reversal:${Math.random()}`,
      });
      assert.match(v.id, /^trr_/);
    });

    it('lists transfers and refunds', async () => {
      const ts = await gw.listTransfers('FIL-2026-000001');
      assert.ok(Array.isArray(ts));
      const rs = await gw.listRefunds('pi_123');
      assert.ok(Array.isArray(rs));
    });
  });

  describe('connected accounts', () => {
    it('creates an account with controller properties and reads its state', async () => {
      const a = await gw.createConnectedAccount({ coopId: 'c1', email: 'coop@example.test', idempotencyKey: `account:${Math.random()}` });
      assert.match(a.id, /^acct_/);
      assert.equal(typeof a.transfersActive, 'boolean');
      assert.ok(Array.isArray(a.currentlyDue));
      const again = await gw.retrieveConnectedAccount(a.id);
      assert.equal(typeof again.payoutsEnabled, 'boolean');
    });

    it('creates an onboarding link and a dashboard login link', async () => {
      const link = await gw.createOnboardingLink({
        accountId: 'acct_123',
        refreshUrl: 'http://localhost/r',
        returnUrl: 'http://localhost/done',
      });
      assert.match(link.url, /^https?:\/\//);
      const dash = await gw.createDashboardLink('acct_123');
      assert.equal(typeof dash.url, 'string');
    });
  });

  describe('when Stripe refuses a request', () => {
    it('throws a PaymentProviderError that is not retryable', async () => {
      await assert.rejects(
        gw.createTransfer({
          amount: 1.5,
          destination: 'acct_123',
          transferGroup: 'g',
          metadata: {},
          idempotencyKey: `bad:${Math.random()}`,
        }),
        (e: unknown) => e instanceof PaymentProviderError && e.retryable === false,
      );
    });
  });

  describe('when stripe-mock is stopped', () => {
    after(async function () {
      this.timeout(30_000);
      await testEngines().stripeMock.start();
    });

    it('throws a retryable "unavailable" error within 10 s', async function () {
      this.timeout(20_000);
      await testEngines().stripeMock.stop();
      const started = Date.now();
      await assert.rejects(
        gw.createCheckoutSession(checkoutInput()),
        (e: unknown) => e instanceof PaymentProviderError && e.retryable && e.code === 'unavailable',
      );
      assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
    });
  });

  describe('when Stripe does not answer', () => {
    let server: Server;
    let port = 0;
    const sockets = new Set<Socket>();
    before(async () => {
      // Accepts connections and never answers: a slow Stripe.
      server = createServer((s) => {
        sockets.add(s);
        s.on('error', () => undefined);
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as { port: number }).port;
    });
    after(() => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    });

    it('gives up on a checkout with a retryable "timeout" error within 10 s', async function () {
      this.timeout(20_000);
      const slow = new StripeGateway({ ...testConfig().stripe, port });
      const started = Date.now();
      await assert.rejects(
        slow.createCheckoutSession(checkoutInput()),
        (e: unknown) => e instanceof PaymentProviderError && e.retryable && e.code === 'timeout',
      );
      assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
    });
  });
});
