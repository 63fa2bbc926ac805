import { randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { getAddress, listAddresses, requireAdmin, requireUser } from '../accounts';
import type { PaymentEvents } from '../payments';
import type { Logger } from '../platform/logger';
import { clearCart, ownerOf, priceCart, promoOf, readCart, type Delivery } from '../cart';
import { withdrawalExceptionOf } from '../catalog';
import type { Legal } from '../legal';
import { isAppError, notFound } from '../platform/errors';
import { fieldErrors } from '../platform/forms';
import { noStore } from '../platform/security';
import { flash, saveSession, wantsJson } from '../platform/web';
import { CheckoutBody, ObjectIdString, PlaceBody, TermsBody, ViewToken } from './checkout.schemas';
import { CheckoutPaymentError } from './checkout.service';
import type { ShippingAddress } from './order.model';
import { getOrder, latePaidOrders, orderByViewToken, ordersForUser, sharesForOrder } from './order-queries';
import type { Orders } from './orders.service';

/**
 * How long the success page waits for the provider's answer about the
 * session before showing "receiving the payment" (and refreshing itself).
 */
export const SUCCESS_RECONCILE_MS = 3_000;
/** The pending success page asks again after this many seconds. */
const SUCCESS_REFRESH_S = 3;

interface CheckoutDraft {
  email: string;
  address: ShippingAddress;
  addressId?: string;
  deliveries: Record<string, Delivery>;
  /** When the buyer accepted the terms (ISO time) and which version of them (absent in a draft from before the box). */
  terms?: { acceptedAt: string; version: string };
  /** The key that makes one order of this checkout however often "pay" is pressed. */
  attempt: string;
}

declare module 'express-session' {
  interface SessionData {
    checkout?: CheckoutDraft;
    /** The order this browser is paying for now: its id and guest link token. */
    pendingOrder?: { id: string; token: string };
  }
}

const newAttempt = () => randomBytes(16).toString('base64url');

/** Reads `delivery_<coopId>` fields: only "pickup" counts, only for well-formed ids. */
function deliveriesFrom(body: Record<string, unknown>): Record<string, Delivery> {
  const out: Record<string, Delivery> = {};
  for (const [k, v] of Object.entries(body)) {
    const m = /^delivery_([a-f\d]{24})$/i.exec(k);
    if (m && v === 'pickup') out[m[1]!.toLowerCase()] = 'pickup';
  }
  return out;
}

export interface CheckoutRoutesDeps {
  logger: Logger;
  /** The app's orders service (createOrders). */
  orders: Pick<Orders, 'quoteCheckout' | 'startCheckout' | 'releaseOrder'>;
  /** payments' handlers: the success page asks the provider about the order's session. */
  paymentEvents: Pick<PaymentEvents, 'reconcileCheckoutSession'>;
  /** The legal data: the terms version a buyer accepts. */
  legal: Pick<Legal, 'company'>;
}

/** Cart, checkout, the buyer's order pages. */
export function checkoutRoutes(deps: CheckoutRoutesDeps): Router {
  const { orders } = deps;
  const events = deps.paymentEvents;
  const router = Router();
  router.use(['/checkout', '/orders', '/account/orders'], noStore);

  /** Shows the cart again with a message (the cart is kept as it is). */
  async function backToCart(req: Request, res: Response, status: number, code: string) {
    // A code that stopped applying (used up, expired, this buyer's limit) leaves the cart: the message says why.
    if (code.startsWith('promotion_')) {
      delete req.session.promoCode;
      await saveSession(req);
    }
    const cart = await priceCart(await readCart(ownerOf(req)), {}, { promo: promoOf(req) });
    res.status(status).render('cart/show', { title: req.t('cart.title'), cart, errors: { form: `orders.checkout.errors.${code}` } });
  }

  async function renderForm(req: Request, res: Response, status: number, values: Record<string, unknown>, errors: Record<string, string>) {
    const items = await readCart(ownerOf(req));
    if (!items.length) return backToCart(req, res, 422, 'cart_empty');
    // Priced with the delivery chosen so far, so the order summary beside the form shows its shipping.
    const cart = await priceCart(items, (values.deliveries ?? {}) as Record<string, Delivery>, { promo: promoOf(req) });
    const addresses = req.user ? await listAddresses(req.user.id) : [];
    // Goods the right of withdrawal does not cover: the terms box says so when the cart holds any.
    const exceptions = [...new Set(cart.groups.flatMap((g) => g.lines.map((l) => withdrawalExceptionOf(l.category))))].filter(Boolean);
    res.status(status).render('checkout/form', { title: req.t('orders.checkout.title'), cart, addresses, values, errors, exceptions });
  }

  router.get('/checkout', async (req, res) => {
    const d = req.session.checkout;
    const values = d
      ? { email: d.email, addressId: d.addressId, ...d.address, deliveries: d.deliveries, terms: d.terms ? 'yes' : '' }
      : { country: 'IT', deliveries: {} };
    await renderForm(req, res, 200, values, {});
  });

  router.post('/checkout', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = CheckoutBody.safeParse(body);
    const deliveries = deliveriesFrom(body);
    const values = { ...body, deliveries };
    // Without the tick nothing goes on: the form comes back with what was typed and one more message.
    const termsError: Record<string, string> = TermsBody.safeParse(body).success ? {} : { terms: 'orders.checkout.errors.terms' };
    if (!parsed.success)
      return renderForm(req, res, 422, values, { ...fieldErrors(parsed.error, 'orders.checkout.errors'), ...termsError });
    if (termsError.terms) return renderForm(req, res, 422, values, termsError);
    const input = parsed.data;
    const email = req.user?.email ?? input.email;
    if (!email) return renderForm(req, res, 422, values, { email: 'orders.checkout.errors.email' });
    let address: ShippingAddress;
    if (input.addressId) {
      // Only one of this user's own addresses: another user's id finds nothing.
      const saved = req.user ? await getAddress(req.user.id, input.addressId) : null;
      if (!saved) return renderForm(req, res, 422, values, { addressId: 'orders.checkout.errors.addressId' });
      address = {
        name: saved.name,
        line1: saved.line1,
        line2: saved.line2,
        postalCode: saved.postalCode,
        city: saved.city,
        province: saved.province,
        country: saved.country,
        phone: saved.phone,
      };
    } else {
      address = {
        name: input.name!,
        line1: input.line1!,
        line2: input.line2,
        postalCode: input.postalCode,
        city: input.city,
        province: input.province,
        country: input.country,
        phone: input.phone,
      };
    }
    // A changed checkout is a new attempt; the order of the previous one (if it was never paid) gives its stock back.
    const previous = req.session.pendingOrder;
    if (previous) {
      // Its Checkout Session is expired with it, so the old order cannot be paid any more. If the
      // provider does not answer now, the session's own expiry and the periodic job end it; a payment
      // meanwhile is settled as a late payment (stock taken again, or refunded).
      await orders
        .releaseOrder({ orderId: previous.id, reason: 'cancelled' })
        .catch((err: unknown) => deps.logger.warn({ err, orderId: previous.id }, 'releasing the previous checkout failed'));
      delete req.session.pendingOrder;
    }
    const terms = { acceptedAt: new Date().toISOString(), version: (await deps.legal.company()).termsVersion };
    req.session.checkout = { email, address, addressId: input.addressId, deliveries, terms, attempt: newAttempt() };
    // Stored before answering, for JSON clients as for the redirect: the next request must find this attempt.
    await saveSession(req);
    if (wantsJson(req)) return res.status(201).json({ attempt: req.session.checkout.attempt });
    res.redirect(303, '/checkout/review');
  });

  router.get('/checkout/review', async (req, res) => {
    const draft = req.session.checkout;
    if (!draft) return res.redirect(303, '/checkout');
    try {
      const quote = await orders.quoteCheckout(await readCart(ownerOf(req)), draft.deliveries, undefined, promoOf(req).code);
      res.render('checkout/review', { title: req.t('orders.review.title'), quote, draft });
    } catch (err) {
      if (isAppError(err) && err.status < 500) return backToCart(req, res, err.status, err.code);
      throw err;
    }
  });

  router.post('/checkout/place', async (req, res) => {
    const draft = req.session.checkout;
    const body = PlaceBody.safeParse(req.body ?? {});
    if (!draft || !body.success || body.data.attempt !== draft.attempt) return backToCart(req, res, 409, 'checkout_stale');
    try {
      const started = await orders.startCheckout({
        items: await readCart(ownerOf(req)),
        deliveries: draft.deliveries,
        email: draft.email,
        address: draft.address,
        userId: req.user?.id,
        locale: req.locale,
        attemptKey: draft.attempt,
        // A draft from before the terms box (a session kept across an upgrade) has none: the order then records none.
        terms: draft.terms && { acceptedAt: new Date(draft.terms.acceptedAt), version: draft.terms.version },
        publicUrl: req.publicUrl,
        // The code's text from this browser's session: never a price, amount or funder from the form.
        code: promoOf(req).code,
      });
      req.session.pendingOrder = { id: started.orderId, token: started.viewToken };
      // The success page (after paying) looks for this order in the session.
      await saveSession(req);
      if (wantsJson(req)) return res.status(201).json({ orderId: started.orderId, number: started.orderNumber, url: started.url });
      res.redirect(303, started.url);
    } catch (err) {
      if (err instanceof CheckoutPaymentError) {
        const order = await getOrder(err.orderId);
        if (order) req.session.pendingOrder = { id: String(order._id), token: order.viewToken };
        deps.logger.warn({ err: err.cause, orderId: err.orderId }, 'checkout session could not be created');
        res.set('Retry-After', '5');
        return res
          .status(503)
          .render('checkout/retry', { title: req.t('orders.retry.title'), attempt: draft.attempt, number: order?.number });
      }
      if (isAppError(err) && err.status < 500 && !wantsJson(req)) return backToCart(req, res, err.status, err.code);
      throw err;
    }
  });

  router.get('/checkout/success', async (req, res) => {
    const id = ObjectIdString.safeParse(req.query.order);
    const pending = req.session.pendingOrder;
    const order = id.success ? await getOrder(id.data) : null;
    const mine = order && ((pending && pending.id === String(order._id)) || (req.user && String(order.buyer.user) === req.user.id));
    if (!order || !mine) throw notFound('order_not_found', 'No such order');
    let shown = order;
    if (order.status === 'pending_payment' && order.payment?.sessionId) {
      // Back before the webhook: ask the provider about the order's own session (never one named in the URL)
      // and settle through the webhook's handler (idempotent with it). A slow provider is not waited for.
      const asked = events.reconcileCheckoutSession(order.payment.sessionId).catch((err: unknown) => {
        deps.logger.warn({ err, orderId: String(order._id) }, 'could not read the checkout session');
      });
      await Promise.race([asked, new Promise((r) => setTimeout(r, SUCCESS_RECONCILE_MS).unref())]);
      shown = (await getOrder(order._id)) ?? order;
    }
    if (pending?.id === String(order._id)) {
      await clearCart(ownerOf(req));
      delete req.session.pendingOrder;
      delete req.session.checkout;
      delete req.session.promoCode;
    }
    const waiting = shown.status === 'pending_payment';
    res.render('checkout/success', {
      title: req.t('orders.success.title'),
      order: shown,
      link: `/orders/view/${order.viewToken}`,
      head: waiting ? `<meta http-equiv="refresh" content="${SUCCESS_REFRESH_S}">` : '',
    });
  });

  router.get('/checkout/cancel', async (req, res) => {
    const id = ObjectIdString.safeParse(req.query.order);
    const pending = req.session.pendingOrder;
    if (id.success && pending?.id === id.data) {
      // Expires the session too; when it was paid meanwhile the order is paid, not cancelled.
      const ended = await orders
        .releaseOrder({ orderId: id.data, reason: 'cancelled' })
        .catch((err: unknown) => deps.logger.warn({ err, orderId: id.data }, 'cancelling the checkout failed'));
      if (ended?.status === 'paid') return res.redirect(303, `/checkout/success?order=${id.data}`);
      delete req.session.pendingOrder;
      if (req.session.checkout) req.session.checkout.attempt = newAttempt();
    }
    flash(req, 'info', 'orders.flash.cancelled');
    await saveSession(req);
    res.redirect(303, '/cart');
  });

  async function showOrder(req: Request, res: Response, order: NonNullable<Awaited<ReturnType<typeof getOrder>>>) {
    const shares = await sharesForOrder(order._id);
    res.render('orders/show', { title: req.t('orders.show.title', { number: order.number }), order, shares });
  }

  router.get('/orders/view/:token', async (req, res) => {
    const token = ViewToken.safeParse(req.params.token);
    const order = token.success ? await orderByViewToken(token.data) : null;
    if (!order) throw notFound('order_not_found', 'No such order');
    res.set('Referrer-Policy', 'no-referrer');
    await showOrder(req, res, order);
  });

  router.get('/account/orders', requireUser, async (req, res) => {
    const orders = await ordersForUser(req.user!.id);
    res.render('orders/history', {
      title: req.t('orders.history.title'),
      orders: orders.filter((o) => o.status !== 'cancelled' || o.payment?.paidAt),
    });
  });

  router.get('/account/orders/:id', requireUser, async (req, res) => {
    const id = ObjectIdString.safeParse(req.params.id);
    const order = id.success ? await getOrder(id.data) : null;
    if (!order || String(order.buyer.user) !== req.user!.id) throw notFound('order_not_found', 'No such order');
    await showOrder(req, res, order);
  });

  /** Payments that came after their order was cancelled, and what became of each (stock taken again, or refunded). */
  router.get('/admin/late-payments', requireAdmin, async (req, res) => {
    const orders = await latePaidOrders();
    res.render('admin/late-payments', { title: req.t('orders.latePayments.title'), orders });
  });

  return router;
}
