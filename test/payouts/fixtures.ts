import type { Express } from 'express';
import request from 'supertest';
import { signWebhookPayload } from '../../src/payments/stripe-webhooks';
import { Types } from 'mongoose';
import { OrderModel } from '../../src/orders/order.model';
import { CoopShareModel, shareId } from '../../src/orders/coop-share.model';
import { basisPoints } from '../../src/platform/money';
import { PaymentProviderError, StripeGateway, type PaymentGateway } from '../../src/payments';
import { testConfig } from '../support/app';
import { suffix } from '../admin/helpers';

export interface ShareSpec {
  coopId: string;
  lines: { unitCents: number; quantity: number }[];
  shippingCents?: number;
  bps?: number;
}

/**
 * A paid order straight in the database: its lines, one co-op share per
 * co-op (net = goods + shipping − commission on the goods) and a payment.
 */
export async function makePaidOrder(specs: ShareSpec[]) {
  const orderId = new Types.ObjectId();
  const s = suffix();
  const lines = specs.flatMap((sp) =>
    sp.lines.map((l, i) => ({
      product: new Types.ObjectId(),
      sku: `sku-${i}`,
      coop: new Types.ObjectId(sp.coopId),
      name: { it: `Prodotto ${i}`, en: `Product ${i}` },
      variantLabel: { it: '', en: '' },
      unitCents: l.unitCents,
      quantity: l.quantity,
      ivaRate: 10,
      lineCents: l.unitCents * l.quantity,
    })),
  );
  const coops = specs.map((sp) => ({
    coop: new Types.ObjectId(sp.coopId),
    name: 'Coop',
    delivery: 'ship' as const,
    subtotalCents: sp.lines.reduce((a, l) => a + l.unitCents * l.quantity, 0),
    shippingCents: sp.shippingCents ?? 0,
  }));
  const subtotal = coops.reduce((a, c) => a + c.subtotalCents, 0);
  const shipping = coops.reduce((a, c) => a + c.shippingCents, 0);
  const number = `FIL-T-${s}`;
  await OrderModel.create({
    _id: orderId,
    number,
    status: 'paid',
    buyer: { email: `buyer-${s}@test.filiera`, locale: 'it' },
    address: { name: 'A', line1: 'Via Roma 1', postalCode: '70100', city: 'Bari', country: 'IT' },
    lines,
    coops,
    subtotalCents: subtotal,
    shippingCents: shipping,
    totalCents: subtotal + shipping,
    viewToken: `h-${s}`,
    payment: { paymentIntentId: `pi_${s}`, chargeId: `ch_${s}`, paidAt: new Date() },
  });
  for (const [i, sp] of specs.entries()) {
    const c = coops[i]!;
    const commission = basisPoints(c.subtotalCents, sp.bps ?? 1000);
    await CoopShareModel.create({
      _id: shareId(orderId, sp.coopId),
      order: orderId,
      orderNumber: number,
      coop: new Types.ObjectId(sp.coopId),
      coopName: 'Coop',
      subtotalCents: c.subtotalCents,
      shippingCents: c.shippingCents,
      commissionBps: sp.bps ?? 1000,
      commissionCents: commission,
      netCents: c.subtotalCents + c.shippingCents - commission,
      status: 'paid',
      history: [{ status: 'paid', at: new Date() }],
    });
  }
  return { orderId: String(orderId), number, total: subtotal + shipping };
}

/**
 * A gateway that forwards every call to the one a test puts behind it
 * (`use`): an app's services keep the gateway they were built with, so a
 * test that changes what "Stripe" does mid-way changes it here.
 */
export function switchableGateway(first: PaymentGateway): PaymentGateway & { use(next: PaymentGateway): void } {
  let current = first;
  const use = (next: PaymentGateway) => {
    current = next;
  };
  return new Proxy({} as PaymentGateway & { use(next: PaymentGateway): void }, {
    get(_, prop) {
      if (prop === 'use') return use;
      const v = Reflect.get(current, prop) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(current) : v;
    },
  });
}

/**
 * The Stripe gateway against stripe-mock, counting the writes and able to
 * fail the next calls the way Stripe or the network would.
 */
export class CountingGateway implements PaymentGateway {
  readonly kind = 'stripe' as const;
  readonly inner: PaymentGateway;
  transfers = 0;
  refunds = 0;
  reversals = 0;
  failTransfers = 0;
  failRefunds = 0;
  failReversals: string | null = null;
  transferKeys: string[] = [];
  constructor(inner?: PaymentGateway) {
    this.inner = inner ?? new StripeGateway(testConfig().stripe, { maxNetworkRetries: 0 });
  }
  createCheckoutSession: PaymentGateway['createCheckoutSession'] = (i) => this.inner.createCheckoutSession(i);
  retrieveCheckoutSession: PaymentGateway['retrieveCheckoutSession'] = (i) => this.inner.retrieveCheckoutSession(i);
  expireCheckoutSession: PaymentGateway['expireCheckoutSession'] = (i) => this.inner.expireCheckoutSession(i);
  createTransfer: PaymentGateway['createTransfer'] = async (i) => {
    if (this.failTransfers > 0) {
      this.failTransfers--;
      throw new PaymentProviderError('balance_insufficient', 'Insufficient funds in the platform balance', false);
    }
    const r = await this.inner.createTransfer(i);
    this.transfers++;
    this.transferKeys.push(i.idempotencyKey);
    return r;
  };
  createRefund: PaymentGateway['createRefund'] = async (i) => {
    if (this.failRefunds > 0) {
      this.failRefunds--;
      throw new PaymentProviderError('timeout', 'Stripe did not answer in time', true);
    }
    const r = await this.inner.createRefund(i);
    this.refunds++;
    return r;
  };
  createReversal: PaymentGateway['createReversal'] = async (i) => {
    if (this.failReversals && i.metadata.coopId === this.failReversals)
      throw new PaymentProviderError('balance_insufficient', 'The connected account has insufficient funds', false);
    const r = await this.inner.createReversal(i);
    this.reversals++;
    return r;
  };
  listTransfers: PaymentGateway['listTransfers'] = (g) => this.inner.listTransfers(g);
  listRefunds: PaymentGateway['listRefunds'] = (p) => this.inner.listRefunds(p);
  readTransferGroup: PaymentGateway['readTransferGroup'] = (g) => this.inner.readTransferGroup(g);
  createConnectedAccount: PaymentGateway['createConnectedAccount'] = (i) => this.inner.createConnectedAccount(i);
  retrieveConnectedAccount: PaymentGateway['retrieveConnectedAccount'] = (i) => this.inner.retrieveConnectedAccount(i);
  createOnboardingLink: PaymentGateway['createOnboardingLink'] = (i) => this.inner.createOnboardingLink(i);
  createDashboardLink: PaymentGateway['createDashboardLink'] = (i) => this.inner.createDashboardLink(i);
}

/** Posts a Stripe event to the platform webhook, signed as Stripe would. */
export function sendStripeEvent(app: Express, type: string, object: Record<string, unknown>) {
  const payload = JSON.stringify({
    id: `evt_${suffix()}`,
    object: 'event',
    api_version: '2026-10-28.endive',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    type,
    data: { object },
    pending_webhooks: 1,
    request: null,
  });
  return request(app)
    .post('/webhooks/stripe')
    .set('Stripe-Signature', signWebhookPayload(payload, 'whsec_test_platform'))
    .set('Content-Type', 'application/json')
    .send(payload);
}
