import type { Job } from '../platform/jobs';
import { DemoGateway } from './demo-gateway';
import type { PaymentGateway } from './gateway';
import type { PaymentEvents } from './payments.service';

/** Open demo sessions past their expiry end like `checkout.session.expired` (the stock goes back). */
export async function expireDemoSessions(gateway: DemoGateway, events: Pick<PaymentEvents, 'handleCheckoutEnded'>): Promise<number> {
  const ids = await gateway.dueForExpiry();
  for (const id of ids) {
    const s = await gateway.session(id);
    await gateway.expireCheckoutSession(id);
    await events.handleCheckoutEnded({ sessionId: id, orderId: s?.orderId }, 'expired');
  }
  return ids.length;
}

/**
 * The payments feature's periodic work (server.ts runs it): stored webhook
 * events that failed are run again, and with the demo provider, open
 * sessions past their expiry end as Stripe's would.
 */
export function paymentsJobs(deps: { payments: PaymentGateway; events: PaymentEvents }): Job[] {
  const { payments, events } = deps;
  const jobs: Job[] = [{ name: 'stripe-events-retry', everyMs: 60_000, run: () => events.retryStoredEvents() }];
  if (payments instanceof DemoGateway)
    jobs.push({ name: 'demo-checkout-expiry', everyMs: 60_000, run: () => expireDemoSessions(payments, events) });
  return jobs;
}
