import type { PaymentGateway, CreateCheckoutInput } from '../../src/payments/gateway';
import { createPaymentGateway } from '../../src/payments';
import { testConfig } from '../support/app';

/** The Stripe gateway against stripe-mock, recording each checkout call (stripe-mock keeps no state). */
export function recordingGateway(): PaymentGateway & { calls: CreateCheckoutInput[] } {
  const real = createPaymentGateway(testConfig());
  const calls: CreateCheckoutInput[] = [];
  return Object.assign(Object.create(real) as PaymentGateway, {
    calls,
    createCheckoutSession(input: CreateCheckoutInput) {
      calls.push(input);
      return real.createCheckoutSession(input);
    },
  });
}

export const ADDRESS = {
  name: 'Maria Rossi',
  line1: 'Via Roma 1',
  line2: '',
  postalCode: '53100',
  city: 'Siena',
  province: 'SI',
  country: 'IT',
  phone: '',
};
