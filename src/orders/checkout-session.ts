import type { CheckoutLine, CheckoutSession, PaymentGateway } from '../payments';
import { PaymentProviderError } from '../payments';
import { localized, translator, type Locale } from '../platform/i18n';
import type { Order } from './order.model';

/** A Checkout Session lives 31 minutes (Stripe's minimum is 30); held stock a few minutes longer. */
export const SESSION_TTL_MS = 31 * 60_000;
/** The buyer waits at most this long for the payment provider before seeing "try again". */
export const PROVIDER_TIMEOUT_MS = 8_000;

export interface SessionInput {
  payments: PaymentGateway;
  publicUrl: string;
  locale: Locale;
}

/**
 * The order as the payment provider's page lists it, in the buyer's
 * language: one line per product (with its variant) and one per co-op's
 * shipping. Names are cut to Stripe's 250 characters.
 */
export function checkoutLines(order: Pick<Order, 'lines' | 'coops'>, locale: Locale): CheckoutLine[] {
  const t = translator(locale);
  const lines: CheckoutLine[] = order.lines.map((l) => {
    const variant = localized(l.variantLabel, locale);
    const name = (variant ? `${localized(l.name, locale)} — ${variant}` : localized(l.name, locale)) || l.sku;
    const metadata = { productId: String(l.product), sku: l.sku, coopId: String(l.coop) };
    // A discounted line is one line at what it costs now (a discount need not divide by the quantity).
    if (l.discountCents)
      return {
        name: t('orders.payment.discountedLine', { quantity: l.quantity, name }).slice(0, 250),
        unitAmount: l.lineCents - l.discountCents,
        quantity: 1,
        metadata,
      };
    return { name: name.slice(0, 250), unitAmount: l.unitCents, quantity: l.quantity, metadata };
  });
  for (const c of order.coops) {
    const shipping = c.shippingCents - (c.shippingDiscountCents ?? 0);
    if (shipping > 0)
      lines.push({
        name: t('orders.payment.shippingLine', { coop: c.name }).slice(0, 250),
        unitAmount: shipping,
        quantity: 1,
        metadata: { coopId: String(c.coop), shipping: '1' },
      });
  }
  return lines;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PaymentProviderError('timeout', `no answer within ${ms} ms`, true)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Asks the provider for the order's Checkout Session (the same idempotency key every time), within PROVIDER_TIMEOUT_MS. */
export async function requestSession(order: Order, input: SessionInput): Promise<CheckoutSession> {
  const loc = order.buyer.locale ?? input.locale;
  const lines = checkoutLines(order, loc);
  const orderId = String(order._id);
  const expiresAt = order.payment?.sessionExpiresAt ?? new Date(Date.now() + SESSION_TTL_MS);
  return withTimeout(
    input.payments.createCheckoutSession({
      orderId,
      orderNumber: order.number,
      lines,
      customerEmail: order.buyer.email,
      locale: loc,
      successUrl: `${input.publicUrl}/checkout/success?order=${orderId}&session_id={CHECKOUT_SESSION_ID}`,
      cancelUrl: `${input.publicUrl}/checkout/cancel?order=${orderId}`,
      expiresAt,
      idempotencyKey: `checkout:${orderId}`,
    }),
    PROVIDER_TIMEOUT_MS,
  );
}
