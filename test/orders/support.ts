import type { PaymentGateway, CreateCheckoutInput } from '../../src/payments/gateway';
import { createPaymentGateway } from '../../src/payments';
import assert from 'node:assert/strict';
import type { Types } from 'mongoose';
import { browser, csrfFrom, testConfig } from '../support/app';
import { OrderModel, type Order } from '../../src/orders/order.model';

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

/** The checkout form's "I accept the terms" box, ticked: every checkout a test means to succeed sends it. */
export const TERMS = { terms: 'yes' };

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

export type Agent = ReturnType<typeof browser>;

/** A CSRF token: signed-in pages and a guest's cart with goods carry one; otherwise the login page has one. */
export async function csrfOf(b: Agent): Promise<string> {
  const cart = await b.get('/cart').expect(200);
  if (/name="_csrf"/.test(cart.text)) return csrfFrom(cart.text);
  return csrfFrom((await b.get('/login').expect(200)).text);
}

/** Adds `quantity` of a product to the browser's cart through the form (the token is read before the request is made). */
export async function addToCart(b: Agent, productId: Types.ObjectId, quantity = '1'): Promise<void> {
  const csrf = await csrfOf(b);
  await b
    .post('/cart/items')
    .type('form')
    .send({ _csrf: csrf, productId: String(productId), quantity })
    .expect(303);
}

/**
 * A guest puts `quantity` of each product in the cart, fills the address,
 * ticks the terms box and presses "pay", through the pages: where the shop
 * sent them to pay.
 */
export async function placeGuestCheckout(
  b: Agent,
  products: Types.ObjectId[],
  { address = ADDRESS as Record<string, string>, quantity = '1', email = 'guest@example.test' } = {},
): Promise<string> {
  for (const p of products) {
    const csrf = await csrfOf(b); // before the request is made: the agent sends the cookies it has then
    await b
      .post('/cart/items')
      .type('form')
      .send({ _csrf: csrf, productId: String(p), quantity })
      .expect(303);
  }
  const form = await b.get('/checkout').expect(200);
  await b
    .post('/checkout')
    .type('form')
    .send({ _csrf: csrfFrom(form.text), email, ...TERMS, ...address })
    .expect(303);
  const review = await b.get('/checkout/review').expect(200);
  const attempt = /name="attempt" value="([^"]+)"/.exec(review.text)![1]!;
  const placed = await b
    .post('/checkout/place')
    .type('form')
    .send({ _csrf: csrfFrom(review.text), attempt })
    .expect(303);
  return String(placed.headers.location);
}

/** The same checkout (see placeGuestCheckout) on the demo gateway: the order it made. */
export async function guestCheckout(
  b: Agent,
  products: Types.ObjectId[],
  options: Parameters<typeof placeGuestCheckout>[2] = {},
): Promise<Order> {
  const placed = await placeGuestCheckout(b, products, options);
  const sessionId = /\/demo-pay\/([^/?]+)/.exec(placed)?.[1];
  const order = await OrderModel.findOne({ 'payment.sessionId': sessionId }).lean<Order>();
  assert.ok(order, 'the order of this checkout');
  return order;
}
