import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { CoopShareModel } from '../../src/orders/coop-share.model';
import { OrderModel } from '../../src/orders/order.model';
import { signWebhookPayload } from '../../src/payments/stripe-webhooks';

export const rand = () => randomBytes(6).toString('hex');

/**
 * An order with one share per co-op, written directly (the checkout is the
 * orders feature's test subject): `netCents` per share, total = sum of gross.
 */
export async function makeOrder(
  coops: { _id: Types.ObjectId }[],
  opts: { status?: 'pending_payment' | 'paid'; netCents?: number; chargeId?: string; sessionId?: string } = {},
) {
  const status = opts.status ?? 'pending_payment';
  const orderId = new Types.ObjectId();
  const number = `FIL-T-${rand()}`;
  const gross = 2000;
  const net = opts.netCents ?? 1800;
  await OrderModel.create({
    _id: orderId,
    number,
    status,
    buyer: { email: `buyer-${rand()}@example.test`, locale: 'it' },
    address: { name: 'Maria Rossi', line1: 'Via Roma 1', postalCode: '53100', city: 'Siena', province: 'SI', country: 'IT' },
    lines: [],
    coops: coops.map((c) => ({ coop: c._id, name: 'x', delivery: 'ship', subtotalCents: gross, shippingCents: 0 })),
    subtotalCents: gross * coops.length,
    shippingCents: 0,
    totalCents: gross * coops.length,
    currency: 'eur',
    viewToken: rand(),
    payment: { sessionId: opts.sessionId, ...(status === 'paid' ? { chargeId: opts.chargeId ?? `ch_${rand()}`, paidAt: new Date() } : {}) },
  });
  for (const c of coops) {
    await CoopShareModel.create({
      _id: `${String(orderId)}:${String(c._id)}`,
      order: orderId,
      orderNumber: number,
      coop: c._id,
      subtotalCents: gross,
      shippingCents: 0,
      commissionBps: 1000,
      commissionCents: gross - net,
      netCents: net,
      status: status === 'paid' ? 'paid' : 'pending_payment',
      history: [],
    });
  }
  return {
    orderId: String(orderId),
    number,
    totalCents: gross * coops.length,
    shareIds: coops.map((c) => `${String(orderId)}:${String(c._id)}`),
  };
}

/** A Stripe event as Stripe would send it, with its signature header. */
export function signedEvent(
  type: string,
  object: Record<string, unknown>,
  opts: { secret?: string; account?: string; created?: number; id?: string } = {},
) {
  const event = {
    id: opts.id ?? `evt_${rand()}${rand()}`,
    object: 'event',
    api_version: '2026-10-28.endive',
    created: opts.created ?? Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    ...(opts.account ? { account: opts.account } : {}),
    data: { object },
  };
  const payload = JSON.stringify(event);
  return { event, payload, signature: signWebhookPayload(payload, opts.secret ?? 'whsec_test_platform') };
}

/** A Checkout Session object as carried by checkout.session.* events. */
export function sessionObject(o: { orderId: string; number: string; amount: number; paid: boolean; sessionId?: string; status?: string }) {
  return {
    id: o.sessionId ?? `cs_test_${rand()}`,
    object: 'checkout.session',
    mode: 'payment',
    amount_total: o.amount,
    currency: 'eur',
    client_reference_id: o.orderId,
    metadata: { orderId: o.orderId, orderNumber: o.number },
    payment_status: o.paid ? 'paid' : 'unpaid',
    status: o.status ?? (o.paid ? 'complete' : 'open'),
    payment_intent: `pi_${rand()}`,
  };
}
