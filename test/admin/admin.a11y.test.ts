import assert from 'node:assert/strict';
import { seedDemo } from '../../src/demo/seed';
import { DEMO_ADMIN } from '../../src/demo/demo-data';
import { createLogger } from '../../src/platform/logger';
import { createTransfers, holdTransfer } from '../../src/payouts/transfers.service';
import { recordOrderPaymentLedger } from '../../src/payouts/balances.service';
import { transferId } from '../../src/payouts/transfer.model';
import { axeProblems, browserAvailable, openShop, signIn, step, type Shop } from '../browser/browser';
import { CountingGateway, makePaidOrder } from '../payouts/fixtures';
import { makePayableCoop } from '../support/factories';

describe('admin money pages (axe-core in Chromium)', function () {
  this.timeout(180_000);
  let shop: Shop;

  before(async function () {
    if (!browserAvailable()) return this.skip();
    await seedDemo(createLogger('silent', false));
    shop = await openShop();
  });
  after(async () => shop?.close());

  it('have no serious or critical violations', async () => {
    const gw = new CountingGateway();
    gw.failTransfers = 1;
    const transfers = createTransfers({ gateway: gw });
    const coop = await makePayableCoop();
    const order = await makePaidOrder([{ coopId: coop.id, lines: [{ unitCents: 1200, quantity: 2 }], shippingCents: 690 }]);
    await recordOrderPaymentLedger(order.orderId);
    await transfers.scheduleTransfersForOrder(order.orderId);
    const id = transferId(order.orderId, coop.id);
    await holdTransfer(id, 'a11y').catch(() => undefined);
    const context = await shop.browser.newContext();
    const page = await context.newPage();
    try {
      await signIn(page, shop.baseUrl, DEMO_ADMIN.email, DEMO_ADMIN.password);
      const found: Record<string, string[]> = {};
      for (const path of [
        `/admin/coops/${coop.id}`,
        '/admin/payouts/settings',
        `/admin/payouts/t/${id}`,
        `/admin/balances/${coop.id}`,
        `/admin/orders/${order.orderId}`,
        '/admin/ledger',
        '/admin/reconciliation?run=1',
        '/admin/late-payments',
      ]) {
        await step(page, `axe ${path}`, async () => {
          const res = await page.goto(shop.baseUrl + path, { waitUntil: 'domcontentloaded' });
          assert.ok(res && res.status() < 400, `${path} answered ${res?.status()}`);
          const problems = await axeProblems(page);
          if (problems.length) found[path] = problems;
        });
      }
      assert.deepEqual(found, {}, JSON.stringify(found, null, 2));
    } finally {
      await context.close();
    }
  });
});
