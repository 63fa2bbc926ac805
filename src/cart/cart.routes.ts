import { Router, type Request, type RequestHandler } from 'express';
import { invalid } from '../platform/errors';
import { fieldErrors } from '../platform/forms';
import { flash, saveSession, wantsJson } from '../platform/web';
import { NO_STORE, noStore } from '../platform/security';
import type { FrontDoor } from '../platform/front-door';
import { limiter } from '../platform/rate-limit';
import { CodeBody, automaticPromotionsGeneration } from '../promotions';
import { catalogGeneration, pageCache } from '../catalog';
import { contentHash } from '../platform/session-cache';
import { AddItemBody, KeyParam, SetQuantityBody } from './cart.schemas';
import { addItem, cartCount, priceCart, readCart, removeItem, setQuantity, unitsIn, type CartOwner } from './cart.service';
import type { CartItem } from './cart.model';

declare module 'express-session' {
  interface SessionData {
    /** A guest's cart (a signed-in user's is in the carts collection). */
    cart?: CartItem[];
    /** The discount code the buyer entered in the cart (its text only; everything else is read from the server). */
    promoCode?: string;
  }
}

/** The cart's promotions for priceCart: the code this browser entered, and the automatic promotions. */
export const promoOf = (req: Request): { code: string | null } => ({ code: req.session?.promoCode ?? null });

/** Whose cart this request works on. */
export const ownerOf = (req: Request): CartOwner => ({
  userId: req.user?.id,
  session: req.session,
  cartStamp: req.user?.stamps.cart ?? (req.user ? '' : undefined),
});

/** The units in a signed-in user's saved cart, for the header of a page answered without the chain (the front door). */
export const userCartCount = (user: { id: string; stamps: Readonly<Record<string, string>> }): Promise<number> =>
  cartCount({ userId: user.id, session: {}, cartStamp: user.stamps.cart ?? '' });

/** The units in a guest's cart (held in their session). */
export const guestCartCount = (session: { cart?: readonly CartItem[] }): number => unitsIn(session.cart ?? []);

/** `res.locals.cartCount` for the header; after the session and the user are loaded. */
export const cartCountLocals: RequestHandler = async (req, res, next) => {
  res.locals.cartCount = req.session ? await cartCount(ownerOf(req)) : 0;
  next();
};

/** A cart's lines as a key: themselves when short (cheaper than a hash, and as exact), else their hash. */
const cartKey = (lines: readonly CartItem[]): string => {
  const json = JSON.stringify(lines);
  return json.length <= 1_000 ? json : contentHash(lines);
};

/** Wrong discount codes one address may try in a window: enough for typos, too few to guess codes. */
export const CODE_LIMIT = { windowMs: 15 * 60_000, limit: 30 };

/** The cart: add, change, remove; every amount comes from the server. */
export function cartRoutes(deps: { frontDoor?: FrontDoor } = {}): Router {
  const router = Router();
  const wrongCodes = limiter({ name: 'cart-code-ip', ...CODE_LIMIT, skipSuccessfulRequests: true });
  router.use('/cart', noStore);

  async function showCart(
    req: Request,
    res: Parameters<RequestHandler>[1],
    status = 200,
    errors: Record<string, string> = {},
    codeValue = '',
  ) {
    const cart = await priceCart(await readCart(ownerOf(req), { held: true }), {}, { promo: promoOf(req) });
    if (wantsJson(req)) {
      if (status >= 400) throw invalid(errors);
      res.json({ cart });
      return;
    }
    res.status(status).render('cart/show', { title: req.t('cart.title'), cart, errors, codeValue });
  }

  /**
   * A guest's cart page is kept per cart content (and language), like a
   * storefront page, with the visitor's CSRF token and badge put in as it
   * goes out: until anything in the catalogue moves (prices, stock levels,
   * co-ops: the full generation, since the page shows each line's units) or
   * the automatic promotions are read again (every few seconds). Not with a
   * discount code (read from the database each time), a message to show,
   * JSON, or for a signed-in user.
   */
  const keptCarts = pageCache({
    paths: (path) => path === '/cart',
    generation: () => `${catalogGeneration()}:${automaticPromotionsGeneration()}`,
    vary: (req, session) => (wantsJson(req) || session?.promoCode ? undefined : cartKey(session?.cart ?? [])),
    max: 500,
    maxBytes: 2 * 1024 * 1024,
    frontDoor: deps.frontDoor,
    cacheControl: NO_STORE,
  });

  router.get('/cart', keptCarts, async (req, res) => {
    await showCart(req, res);
  });

  router.post('/cart/items', async (req, res) => {
    const parsed = AddItemBody.safeParse(req.body ?? {});
    if (!parsed.success) return showCart(req, res, 422, fieldErrors(parsed.error, 'cart.errors'));
    const { quantity, limited } = await addItem(ownerOf(req), parsed.data);
    if (wantsJson(req)) {
      const count = await cartCount(ownerOf(req));
      // Stored before answering: a client that moves on at the status line must find the item in the cart.
      await saveSession(req);
      res.status(201).json({ quantity, limited, count });
      return;
    }
    flash(req, limited ? 'info' : 'success', limited ? 'cart.flash.limited' : 'cart.flash.added', { count: quantity });
    await saveSession(req);
    res.redirect(303, '/cart');
  });

  router.post('/cart/items/:key/quantity', async (req, res) => {
    const key = KeyParam.safeParse(req.params.key);
    const body = SetQuantityBody.safeParse(req.body ?? {});
    if (!key.success || !body.success)
      return showCart(req, res, 422, body.success ? { form: 'cart.errors.form' } : fieldErrors(body.error, 'cart.errors'));
    const { quantity, limited } = await setQuantity(ownerOf(req), key.data, body.data.quantity);
    flash(req, limited ? 'info' : 'success', limited ? 'cart.flash.limited' : quantity ? 'cart.flash.updated' : 'cart.flash.removed', {
      count: quantity,
    });
    await saveSession(req);
    res.redirect(303, '/cart');
  });

  router.post('/cart/items/:key/remove', async (req, res) => {
    const key = KeyParam.safeParse(req.params.key);
    if (!key.success) return showCart(req, res, 422, { form: 'cart.errors.form' });
    await removeItem(ownerOf(req), key.data);
    flash(req, 'success', 'cart.flash.removed');
    await saveSession(req);
    res.redirect(303, '/cart');
  });

  /**
   * Enters a discount code. Only the code's text is read from the form:
   * any price, amount, funder or promotion id posted beside it is ignored.
   * A code that does not apply is kept so the cart can say why; the cart
   * itself never changes.
   */
  router.post('/cart/code', wrongCodes, async (req, res) => {
    const parsed = CodeBody.safeParse(req.body ?? {});
    const typed = typeof req.body?.code === 'string' ? String(req.body.code).slice(0, 40) : '';
    if (!parsed.success) return showCart(req, res, 422, { code: 'promotions.codeError.unknown' }, typed);
    req.session.promoCode = parsed.data.code;
    const cart = await priceCart(await readCart(ownerOf(req)), {}, { promo: promoOf(req) });
    if (cart.promotion.error) {
      delete req.session.promoCode;
      await saveSession(req);
      return showCart(req, res, 422, { code: `promotions.codeError.${cart.promotion.error}` }, typed);
    }
    flash(req, 'success', 'promotions.flash.applied', { code: parsed.data.code });
    await saveSession(req);
    if (wantsJson(req)) return res.json({ cart });
    res.redirect(303, '/cart');
  });

  router.post('/cart/code/remove', async (req, res) => {
    delete req.session.promoCode;
    flash(req, 'success', 'promotions.flash.removed');
    await saveSession(req);
    res.redirect(303, '/cart');
  });

  return router;
}
