import type { Config } from '../platform/config';
import type { PaymentGateway } from './gateway';
import { StripeGateway } from './stripe-gateway';
import { DemoGateway } from './demo-gateway';

export * from './gateway';
export { StripeGateway } from './stripe-gateway';
export { DemoGateway } from './demo-gateway';
export type { WebhookEvent } from './stripe-webhooks';
export { paymentsJobs, expireDemoSessions } from './jobs';
export { createPaymentEvents, listFailedEvents, type PaymentEvents } from './payments.service';
export type { CheckoutPaid, CheckoutEnded } from './events';
export { webhookRoutes, demoPaymentRoutes } from './payments.routes';

/** Stripe when a secret key is configured; otherwise the local demo provider (no network). */
export function createPaymentGateway(config: Config): PaymentGateway {
  return config.stripe.secretKey ? new StripeGateway(config.stripe) : new DemoGateway();
}
