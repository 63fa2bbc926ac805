import { Types } from 'mongoose';
import { sumIva, type CartItem, type Delivery } from '../cart';
import type { CheckoutSession, PaymentGateway } from '../payments';
import { rawCollection, trusted } from '../platform/db';
import { AppError, conflict } from '../platform/errors';
import type { Locale } from '../platform/i18n';
import { CoopShareModel, shareId, type CoopShare } from './coop-share.model';
import { OrderKeyModel, OrderModel, type Order, type ShippingAddress } from './order.model';
import { newViewToken } from './order-queries';
import { releaseReservations, reserveStock } from './reservations.service';
import { claimUses, type ClaimStep } from '../promotions';
import { claimAttempt, giveBackAttempt } from './checkout-claim';
import type { OrderNumbers } from './order-number';
import type { OrderStatus } from './states';
import { quoteCheckout, type CommissionFor } from './checkout-quote';
import { PROVIDER_TIMEOUT_MS, SESSION_TTL_MS, requestSession } from './checkout-session';
import { signalStockChanged } from '../catalog';

export { quoteCheckout, type CheckoutQuote, type CommissionFor, type ShareQuote } from './checkout-quote';
export { PROVIDER_TIMEOUT_MS, SESSION_TTL_MS } from './checkout-session';

/** Held stock outlives its Checkout Session by this much. */
export const HOLD_GRACE_MS = 5 * 60_000;
const MAX_STRIPE_LINES = 100;

export interface StartCheckoutInput {
  items: CartItem[];
  deliveries: Record<string, Delivery>;
  email: string;
  address: ShippingAddress;
  userId?: string;
  locale: Locale;
  /** One per checkout attempt (kept in the buyer's session): the same attempt never makes two orders. */
  attemptKey: string;
  /** The terms the buyer accepted on the checkout form (the HTTP edge requires them); recorded on the order. */
  terms?: { acceptedAt: Date; version: string };
  commissionDefaultBps: number;
  /** The commission rates in force (payouts' table, given by the composition). */
  commissionFor: CommissionFor;
  publicUrl: string;
  payments: PaymentGateway;
  /** The app's order numbers (createOrderNumbers): their counter is this process's memory. */
  numbers: OrderNumbers;
  /** The discount code the buyer entered in the cart: its text only (what it is worth is read here). */
  code?: string | null;
  /** Tests stop a use's claim between its steps (a crash). */
  onClaimStep?: (step: ClaimStep, promotionId: string) => Promise<void> | void;
}

export interface StartedCheckout {
  orderId: string;
  orderNumber: string;
  viewToken: string;
  /** Where to send the buyer: the provider's payment page, or our page when the order is already paid. */
  url: string;
  reused: boolean;
}

/** The payment step failed or took too long; the order stays pending and a retry reuses its idempotency key. */
export class CheckoutPaymentError extends AppError {
  constructor(
    readonly orderId: string,
    cause: unknown,
  ) {
    super('payment_provider_unavailable', 'The payment provider did not answer', 503, { cause });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts paying: one order per attempt, stock held, a Checkout Session.
 *
 * 1. While the cart is priced and split, the attempt is claimed: one
 *    insert of `attempt:<key>` (naming a new order id), the order number's
 *    key and the guest link's key. A second submit of the same attempt
 *    (double click, two tabs) loses the claim and waits for the first
 *    one's session instead. A refused cart gives the claim back.
 * 2. Stock is held line by line (reservations.service); when a line runs
 *    out the holds are undone, the claim is given back and `out_of_stock`
 *    thrown, so the buyer can fix the cart and try again (the number stays
 *    a gap).
 * 3. One share per co-op is written while the session is created with
 *    idempotency key `checkout:<orderId>`.
 * 4. The order (number, lines, address, and the session or the failure) is
 *    written once, after the provider answered. A second submit meanwhile
 *    waits for it (resumeCheckout).
 *    Nothing can be paid before the buyer has the session's URL, so no
 *    payment event can arrive for an order not written yet.
 */
export function startCheckout(input: StartCheckoutInput): Promise<StartedCheckout> {
  return start(input, false);
}

/** `resumed`: this is a submit that found its attempt given back by another, starting afresh (only once). */
async function start(input: StartCheckoutInput, resumed: boolean): Promise<StartedCheckout> {
  const orderId = new Types.ObjectId();
  const attemptId = `attempt:${input.attemptKey}`;
  const { token, hash } = newViewToken();
  // The claim is made while the cart is priced; a refused cart gives it back (its number stays a gap).
  const [quoted, claimed] = await Promise.allSettled([
    quoteCheckout(input.items, input.deliveries, input.commissionDefaultBps, input.commissionFor, new Date(), input.code ?? null),
    claimAttempt(input.numbers, orderId, attemptId, hash, new Date()),
  ]);
  if (claimed.status === 'rejected') throw claimed.reason;
  if (claimed.value === null) {
    const existing = await OrderKeyModel.findById(attemptId).lean();
    if (existing) return resumeCheckout(String(existing.order), input, resumed);
    if (resumed) throw conflict('checkout_in_progress', 'This checkout is still being prepared');
    return start(input, true); // the other submit gave the attempt back just now
  }
  const giveBack = () => giveBackAttempt(attemptId, hash);
  if (quoted.status === 'rejected') {
    await giveBack();
    throw quoted.reason;
  }
  const quote = quoted.value;
  const number: string = claimed.value;

  const lines = quote.cart.groups.flatMap((g) => g.lines);
  if (lines.length + quote.shares.length > MAX_STRIPE_LINES) {
    await giveBack();
    throw new AppError('cart_too_large', 'Too many different items for one payment', 422);
  }
  const now = new Date();
  const sessionExpiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  const requests = lines.map((l) => ({ stockId: l.key, quantity: l.quantity }));
  try {
    await reserveStock(orderId, requests, new Date(sessionExpiresAt.getTime() + HOLD_GRACE_MS));
  } catch (err) {
    // Nothing is held (reserveStock undoes its own holds); a refused checkout leaves a gap in the order numbers, nothing else.
    await giveBack();
    throw err;
  }
  // The order holds its stock: now its promotions' uses are claimed (exactly: a code used up refuses the order, its stock goes back).
  // Every promotion it used is counted, limited or not, so each one's report has its uses.
  try {
    await claimUses({
      orderId: String(orderId),
      promotions: quote.cart.promotion.applied.map((a) => ({ promotionId: a.id, discountCents: a.cents })),
      customer: input.userId ? `u:${input.userId}` : `e:${input.email.trim().toLowerCase()}`,
      salesCents: quote.totalCents,
      hasPriorOrders: () => hasPriorOrders(input.userId, input.email),
      onStep: input.onClaimStep,
    });
  } catch (err) {
    await releaseReservations(orderId);
    await giveBack();
    throw err;
  }
  signalStockChanged(lines.map((l) => l.productId));
  const order = {
    _id: orderId,
    number,
    status: 'pending_payment' as const,
    buyer: { user: input.userId ? new Types.ObjectId(input.userId) : null, email: input.email, locale: input.locale },
    address: {
      ...input.address,
      line2: input.address.line2 ?? '',
      province: input.address.province ?? '',
      phone: input.address.phone ?? '',
    },
    lines: lines.map((l) => ({
      product: new Types.ObjectId(l.productId),
      sku: l.sku,
      coop: new Types.ObjectId(l.coopId),
      name: l.name,
      variantLabel: l.variantLabel,
      unitCents: l.unitCents,
      quantity: l.quantity,
      ivaRate: l.ivaRate,
      lineCents: l.lineCents,
      discountCents: l.discountCents,
      discounts: l.discounts,
    })),
    coops: quote.shares.map((s) => ({
      coop: new Types.ObjectId(s.coopId),
      name: s.coopName,
      legalName: s.seller.name,
      vatNumber: s.seller.vatNumber,
      seat: s.seller.seat,
      delivery: s.delivery,
      subtotalCents: s.subtotalCents,
      shippingCents: s.shippingCents,
      discountCents: s.discountCents,
      shippingDiscountCents: s.shippingDiscountCents,
    })),
    subtotalCents: quote.cart.subtotalCents,
    shippingCents: quote.cart.shippingCents,
    discountCents: quote.cart.discountCents,
    // Each promotion the order used, who gives it and what it took off (the lines and shares carry the parts).
    promotions: quote.cart.promotion.applied.map((a) => ({
      promotion: new Types.ObjectId(a.id),
      code: a.code,
      name: a.name,
      funder: a.funder,
      funderCoop: a.funderCoopId ? new Types.ObjectId(a.funderCoopId) : null,
      cents: a.cents,
    })),
    totalCents: quote.totalCents,
    currency: 'eur',
    // The order's IVA is the sum of each co-op's own (the same as the cart showed).
    iva: sumIva(quote.shares.map((s) => s.iva)),
    viewToken: token,
    payment: { sessionExpiresAt },
    flags: [],
    ...(input.terms ? { termsAcceptedAt: input.terms.acceptedAt, termsVersion: input.terms.version } : {}),
  };
  // The shares are written while the provider makes the session.
  const sessionAsked = requestSession(order as unknown as Order, input).then(
    (session) => ({ session, failure: undefined }),
    (failure: unknown) => ({ session: undefined, failure }),
  );
  const sharesAt = new Date();
  await rawCollection(CoopShareModel).insertMany(
    quote.shares.map((s): CoopShare => ({
      _id: shareId(orderId, s.coopId),
      order: orderId,
      orderNumber: number,
      coop: new Types.ObjectId(s.coopId),
      coopName: s.coopName,
      delivery: s.delivery,
      subtotalCents: s.subtotalCents,
      shippingCents: s.shippingCents,
      commissionBps: s.commissionBps,
      commissionCents: s.commissionCents,
      netCents: s.netCents,
      discountCents: s.discountCents,
      coopDiscountCents: s.coopDiscountCents,
      platformDiscountCents: s.platformDiscountCents,
      shippingDiscountCents: s.shippingDiscountCents,
      discounts: s.discounts,
      iva: s.iva,
      status: 'pending_payment',
      history: [],
      createdAt: sharesAt,
      updatedAt: sharesAt,
    })),
  );
  const { session, failure } = await sessionAsked;
  const payment = session
    ? { sessionId: session.id, sessionUrl: session.url, sessionExpiresAt: session.expiresAt }
    : { sessionExpiresAt, failedAt: new Date() };
  const writtenAt = new Date();
  await rawCollection(OrderModel).insertOne({ ...order, payment, createdAt: writtenAt, updatedAt: writtenAt, __v: 0 } as Order);
  if (!session) throw new CheckoutPaymentError(String(orderId), failure);
  return { orderId: String(orderId), orderNumber: number, viewToken: token, url: session.url, reused: false };
}

/** Has this buyer an order already (paid, or waiting for its payment)? Asked only for a first-order promotion. */
async function hasPriorOrders(userId: string | undefined, email: string): Promise<boolean> {
  const live = { status: trusted({ $in: ['pending_payment', 'paid', 'completed', 'refunded'] as OrderStatus[] }) };
  if (userId) return !!(await OrderModel.exists({ 'buyer.user': new Types.ObjectId(userId), ...live }));
  return !!(await OrderModel.exists({ 'buyer.email': email.trim(), ...live }));
}

/**
 * A retry on an order that is already written: the session again (same
 * key), recorded only while the order is still unpaid and open (a guarded
 * update: an order paid or cancelled meanwhile keeps the session it had).
 */
async function reopenSession(order: Order, input: Pick<StartCheckoutInput, 'payments' | 'publicUrl' | 'locale'>): Promise<string> {
  let session: CheckoutSession;
  try {
    session = await requestSession(order, input);
  } catch (err) {
    await OrderModel.updateOne({ _id: order._id }, { $set: { 'payment.failedAt': new Date() } }).catch(() => undefined);
    throw new CheckoutPaymentError(String(order._id), err);
  }
  const recorded = await OrderModel.updateOne(
    { _id: order._id, status: 'pending_payment' },
    { $set: { 'payment.sessionId': session.id, 'payment.sessionUrl': session.url, 'payment.sessionExpiresAt': session.expiresAt } },
  );
  if (recorded.modifiedCount === 0 && recorded.matchedCount === 0)
    throw conflict('checkout_closed', 'This checkout has ended; please start again');
  return session.url;
}

/**
 * The same attempt again. Waits briefly for the first submit to finish;
 * then sends the buyer to the same session, or retries the session when
 * the provider failed the first time (same idempotency key).
 */
async function resumeCheckout(orderId: string, input: StartCheckoutInput, resumed: boolean): Promise<StartedCheckout> {
  const deadline = Date.now() + PROVIDER_TIMEOUT_MS + 1_000;
  let order: Order | null;
  for (;;) {
    order = await OrderModel.findById(orderId).lean<Order>();
    // The first submit gave the attempt back (its cart was refused, or stock ran out): this one starts afresh, once.
    if (!order && !resumed && !(await OrderKeyModel.exists({ _id: `attempt:${input.attemptKey}` }))) return start(input, true);
    if (order?.payment?.sessionUrl || (order && order.status !== 'pending_payment')) break;
    // The first submit is still holding stock or talking to the provider.
    const firstStillWorking =
      !order || (!order.payment?.failedAt && Date.now() - (order.createdAt?.getTime() ?? 0) < PROVIDER_TIMEOUT_MS + 500);
    if (!firstStillWorking || Date.now() > deadline) break;
    await sleep(100);
  }
  if (!order) throw conflict('checkout_in_progress', 'This checkout is still being prepared');
  const base = { orderId, orderNumber: order.number, viewToken: order.viewToken, reused: true };
  if (order.status === 'paid' || order.status === 'completed') return { ...base, url: `/checkout/success?order=${orderId}` };
  if (order.status !== 'pending_payment') throw conflict('checkout_closed', 'This checkout has ended; please start again');
  const open = order.payment?.sessionUrl && (!order.payment.sessionExpiresAt || order.payment.sessionExpiresAt.getTime() > Date.now());
  if (open) return { ...base, url: order.payment.sessionUrl! };
  return { ...base, url: await reopenSession(order, input) };
}

/**
 * What a checkout request names; the rest comes from the app (createCheckout).
 * `publicUrl`: the address the buyer is using, when it may differ from the
 * app's (development opened at 127.0.0.1 or a LAN address), so the payment
 * returns there.
 */
export type CheckoutRequest = Omit<StartCheckoutInput, 'payments' | 'commissionFor' | 'commissionDefaultBps' | 'publicUrl' | 'numbers'> & {
  publicUrl?: string;
};

/** Quoting and starting checkouts with the app's gateway, commission rates and public URL. */
export function createCheckout(
  deps: Pick<StartCheckoutInput, 'payments' | 'commissionFor' | 'commissionDefaultBps' | 'publicUrl' | 'numbers'>,
) {
  return {
    quoteCheckout: (items: CartItem[], deliveries: Record<string, Delivery>, at?: Date, code?: string | null) =>
      quoteCheckout(items, deliveries, deps.commissionDefaultBps, deps.commissionFor, at, code ?? null),
    startCheckout: (input: CheckoutRequest) => startCheckout({ ...input, ...deps, publicUrl: input.publicUrl ?? deps.publicUrl }),
  };
}
