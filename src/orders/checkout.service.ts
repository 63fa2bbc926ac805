import { Types } from 'mongoose';
import { ivaBreakdown, priceCart, sumIva, type CartItem, type Delivery, type IvaPart, type PricedCart } from '../cart';
import type { PaymentGateway, CheckoutLine, CheckoutSession } from '../payments/gateway';
import { PaymentProviderError } from '../payments/gateway';
import { commissionBpsForMany } from '../payouts/commission.service';
import { rawCollection } from '../platform/db';
import { AppError, conflict } from '../platform/errors';
import { localized, type Locale } from '../platform/i18n';
import { basisPoints } from '../platform/money';
import { CoopShareModel, shareId, type CoopShare } from './coop-share.model';
import { OrderKeyModel, OrderModel, type Order, type ShippingAddress } from './order.model';
import { allocateOrderNumber, orderNumberCandidate } from './order-number';
import { newViewToken } from './orders.service';
import { reserveStock } from './reservations.service';
import { signalStockChanged } from '../catalog';

/** A Checkout Session lives 31 minutes (Stripe's minimum is 30); held stock a few minutes longer. */
export const SESSION_TTL_MS = 31 * 60_000;
export const HOLD_GRACE_MS = 5 * 60_000;
/** The buyer waits at most this long for the payment provider before seeing "try again". */
export const PROVIDER_TIMEOUT_MS = 8_000;
const MAX_STRIPE_LINES = 100;

export interface ShareQuote {
  coopId: string;
  coopName: string;
  delivery: Delivery;
  subtotalCents: number;
  shippingCents: number;
  commissionBps: number;
  commissionCents: number;
  netCents: number;
  /** The co-op's own IVA: it sells its goods, and its shipping follows their rates. */
  iva: IvaPart[];
}

export interface CheckoutQuote {
  cart: PricedCart;
  shares: ShareQuote[];
  /** What the platform keeps: the sum of the commissions. */
  platformCents: number;
  totalCents: number;
}

/**
 * Prices the cart for checkout and splits it: per co-op its goods, its
 * shipping, the commission at its rate now (on the goods), and what it
 * is owed. Refuses an empty cart and a cart with lines that cannot be
 * bought as they are (nothing is created; the cart stays as it is).
 */
export async function quoteCheckout(items: CartItem[], deliveries: Record<string, Delivery>, commissionDefaultBps: number, at = new Date()): Promise<CheckoutQuote> {
  if (!items.length) throw new AppError('cart_empty', 'The cart is empty', 422);
  const cart = await priceCart(items, deliveries, { live: true });
  if (cart.problems.length) throw new AppError('cart_changed', 'Some items in the cart changed', 409, { details: { problems: cart.problems.map((p) => p.key) } });
  if (!cart.groups.length) throw new AppError('cart_empty', 'The cart is empty', 422);
  const rates = await commissionBpsForMany(cart.groups.map((g) => g.coop.id), at, commissionDefaultBps);
  const shares = cart.groups.map((g): ShareQuote => {
    const commissionBps = rates.get(g.coop.id) ?? commissionDefaultBps;
    const commissionCents = basisPoints(g.subtotalCents, commissionBps);
    return {
      coopId: g.coop.id,
      coopName: g.coop.name,
      delivery: g.coop.pickup && deliveries[g.coop.id] === 'pickup' ? 'pickup' : 'ship',
      subtotalCents: g.subtotalCents,
      shippingCents: g.shippingCents,
      commissionBps,
      commissionCents,
      netCents: g.subtotalCents + g.shippingCents - commissionCents,
      iva: ivaBreakdown(g.lines.map((l) => ({ rate: l.ivaRate, cents: l.lineCents })), g.shippingCents),
    };
  });
  return { cart, shares, platformCents: shares.reduce((n, s) => n + s.commissionCents, 0), totalCents: cart.totalCents };
}

export interface StartCheckoutInput {
  items: CartItem[];
  deliveries: Record<string, Delivery>;
  email: string;
  address: ShippingAddress;
  userId?: string;
  locale: Locale;
  /** One per checkout attempt (kept in the buyer's session): the same attempt never makes two orders. */
  attemptKey: string;
  commissionDefaultBps: number;
  publicUrl: string;
  payments: PaymentGateway;
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

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PaymentProviderError('timeout', `no answer within ${ms} ms`, true)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

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

/** The index of the first document an ordered insertMany could not write, and whether it was a duplicate key. */
function firstFailure(err: unknown): { index: number; duplicate: boolean } | null {
  const errors = (err as { writeErrors?: { index: number; code?: number } | { index: number; code?: number }[] }).writeErrors;
  const first = Array.isArray(errors) ? errors[0] : errors;
  return first ? { index: first.index, duplicate: first.code === 11000 } : null;
}

/**
 * Claims the attempt with one write: the `attempt:` key, the order
 * number's key and the guest link's key, in that order. Returns the order
 * number, or null when the attempt was claimed already (a second submit:
 * nothing is written). A number another process took just before leaves
 * the attempt claimed; a number (and the link) is then taken on its own.
 */
async function claimAttempt(orderId: Types.ObjectId, attemptId: string, tokenHash: string, at: Date): Promise<string | null> {
  const candidate = await orderNumberCandidate(at);
  const key = (id: string) => ({ _id: id, order: orderId, at });
  try {
    await rawCollection(OrderKeyModel).insertMany([key(attemptId), key(candidate.keyId), key(`token:${tokenHash}`)], { ordered: true });
  } catch (err) {
    const failed = firstFailure(err);
    if (failed?.index === 0 && failed.duplicate) return null;
    if (!failed || failed.index === 0) throw err; // nothing was written: the database's error
    // The attempt is ours from here: given back if the rest fails.
    try {
      if (failed.index !== 1 || !failed.duplicate) throw err;
      await candidate.collided();
      const [number] = await Promise.all([allocateOrderNumber(orderId, at), rawCollection(OrderKeyModel).insertOne(key(`token:${tokenHash}`))]);
      return number;
    } catch (rest) {
      await OrderKeyModel.deleteOne({ _id: attemptId }).catch(() => undefined);
      throw rest;
    }
  }
  await candidate.taken();
  return candidate.number;
}

/** `resumed`: this is a submit that found its attempt given back by another, starting afresh (only once). */
async function start(input: StartCheckoutInput, resumed: boolean): Promise<StartedCheckout> {
  const orderId = new Types.ObjectId();
  const attemptId = `attempt:${input.attemptKey}`;
  const { token, hash } = newViewToken();
  // The claim is made while the cart is priced; a refused cart gives it back (its number stays a gap).
  const [quoted, claimed] = await Promise.allSettled([
    quoteCheckout(input.items, input.deliveries, input.commissionDefaultBps),
    claimAttempt(orderId, attemptId, hash, new Date()),
  ]);
  if (claimed.status === 'rejected') throw claimed.reason;
  if (claimed.value === null) {
    const existing = await OrderKeyModel.findById(attemptId).lean();
    if (existing) return resumeCheckout(String(existing.order), input, resumed);
    if (resumed) throw conflict('checkout_in_progress', 'This checkout is still being prepared');
    return start(input, true); // the other submit gave the attempt back just now
  }
  const giveBack = () => Promise.all([OrderKeyModel.deleteOne({ _id: attemptId }), OrderKeyModel.deleteOne({ _id: `token:${hash}` })]);
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
  signalStockChanged(lines.map((l) => l.productId));
  const order = {
    _id: orderId,
    number,
    status: 'pending_payment' as const,
    buyer: { user: input.userId ? new Types.ObjectId(input.userId) : null, email: input.email, locale: input.locale },
    address: { ...input.address, line2: input.address.line2 ?? '', province: input.address.province ?? '', phone: input.address.phone ?? '' },
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
    })),
    coops: quote.shares.map((s) => ({ coop: new Types.ObjectId(s.coopId), name: s.coopName, delivery: s.delivery, subtotalCents: s.subtotalCents, shippingCents: s.shippingCents })),
    subtotalCents: quote.cart.subtotalCents,
    shippingCents: quote.cart.shippingCents,
    totalCents: quote.totalCents,
    currency: 'eur',
    // The order's IVA is the sum of each co-op's own (the same as the cart showed).
    iva: sumIva(quote.shares.map((s) => s.iva)),
    viewToken: token,
    payment: { sessionExpiresAt },
    flags: [],
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

/** Asks the provider for the order's Checkout Session (the same idempotency key every time), within PROVIDER_TIMEOUT_MS. */
async function requestSession(order: Order, input: Pick<StartCheckoutInput, 'payments' | 'publicUrl' | 'locale'>): Promise<CheckoutSession> {
  const loc = order.buyer.locale ?? input.locale;
  const lines: CheckoutLine[] = order.lines.map((l) => {
    const variant = localized(l.variantLabel, loc);
    return {
      name: (variant ? `${localized(l.name, loc)} — ${variant}` : localized(l.name, loc)).slice(0, 250) || l.sku,
      unitAmount: l.unitCents,
      quantity: l.quantity,
      metadata: { productId: String(l.product), sku: l.sku, coopId: String(l.coop) },
    };
  });
  for (const c of order.coops) {
    if (c.shippingCents > 0) lines.push({ name: `${loc === 'it' ? 'Spedizione' : 'Shipping'} — ${c.name}`.slice(0, 250), unitAmount: c.shippingCents, quantity: 1, metadata: { coopId: String(c.coop), shipping: '1' } });
  }
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
  if (recorded.modifiedCount === 0 && recorded.matchedCount === 0) throw conflict('checkout_closed', 'This checkout has ended; please start again');
  return session.url;
}

/**
 * The same attempt again. Waits briefly for the first submit to finish;
 * then sends the buyer to the same session, or retries the session when
 * the provider failed the first time (same idempotency key).
 */
async function resumeCheckout(orderId: string, input: StartCheckoutInput, resumed: boolean): Promise<StartedCheckout> {
  const deadline = Date.now() + PROVIDER_TIMEOUT_MS + 1_000;
  let order: Order | null = null;
  for (;;) {
    order = await OrderModel.findById(orderId).lean<Order>();
    // The first submit gave the attempt back (its cart was refused, or stock ran out): this one starts afresh, once.
    if (!order && !resumed && !(await OrderKeyModel.exists({ _id: `attempt:${input.attemptKey}` }))) return start(input, true);
    if (order?.payment?.sessionUrl || (order && order.status !== 'pending_payment')) break;
    // The first submit is still holding stock or talking to the provider.
    const firstStillWorking = !order || (!order.payment?.failedAt && Date.now() - (order.createdAt?.getTime() ?? 0) < PROVIDER_TIMEOUT_MS + 500);
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
