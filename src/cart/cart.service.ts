import { Types } from 'mongoose';
import { departmentOf, getProductsByIds, isCategory, onHandOf, readOnHandLive, readProductsLive } from '../catalog';
import { applyPromotions, findForCart, type CodeError, type DiscountPart, type GroupDiscount } from '../promotions';
import { findCoop } from '../coops';
import { stampUser } from '../accounts';
import { AppError, conflict, notFound } from '../platform/errors';
import { ivaBreakdown, sumIva } from './iva';
import { CartModel, type CartItem } from './cart.model';
import { MAX_QUANTITY, cartKey } from './cart.schemas';

type Text = { it: string; en: string };

export interface CartLine {
  key: string;
  productId: string;
  sku: string;
  slug: string;
  coopId: string;
  /** The product's category (the checkout names the withdrawal exceptions it carries). */
  category: string;
  name: Text;
  variantLabel: Text;
  unitCents: number;
  quantity: number;
  lineCents: number;
  ivaRate: number;
  /** Units that can be bought now. */
  available: number;
  /** What promotions take off this line (0 and none without them), and who gives each part. */
  discountCents: number;
  discounts: DiscountPart[];
}

export interface CartProblem {
  key: string;
  name: Text;
  /** unavailable: unpublished, archived, gone, or its co-op is not trading; sold_out; limited: fewer units than asked. */
  reason: 'unavailable' | 'sold_out' | 'limited';
  available: number;
}

export interface CartCoop {
  id: string;
  name: string;
  slug: string;
  pickup: boolean;
  flatCents: number;
  freeOverCents: number;
  /** Who sells this part: the co-op's ragione sociale, P.IVA and registered seat. */
  legal: { name: string; vatNumber: string; seat: string };
}

export interface CartGroup {
  coop: CartCoop;
  lines: CartLine[];
  subtotalCents: number;
  /** Shipping when the goods are sent (pickup is free). */
  shippingCents: number;
  /** How much more makes shipping free; 0 when it already is. */
  freeShippingGapCents: number;
  /** What promotions take off this co-op's goods and shipping, by who gives it. */
  discount: GroupDiscount;
  discountCents: number;
  /** What the buyer pays for this co-op's part. */
  paidCents: number;
}

/** A promotion that took something off the cart, as the cart and the order show it. */
export interface AppliedPromotion {
  id: string;
  code: string | null;
  name: string;
  funder: 'platform' | 'coop';
  /** The funding co-op's id (a co-op's own promotion). */
  funderCoopId: string | null;
  cents: number;
}

export interface CartPromotion {
  /** The code the buyer entered (kept even when it does not apply, so the cart can say why). */
  code: string | null;
  error: CodeError | null;
  applied: AppliedPromotion[];
}

export interface PricedCart {
  groups: CartGroup[];
  problems: CartProblem[];
  itemCount: number;
  subtotalCents: number;
  shippingCents: number;
  /** All promotions together. */
  discountCents: number;
  /** What the buyer pays: goods + shipping − discounts. */
  totalCents: number;
  iva: { rate: number; cents: number }[];
  promotion: CartPromotion;
}

export type Delivery = 'ship' | 'pickup';

/** Shipping for one co-op's part: free at pickup and over the threshold, else the flat rate. */
export function shippingFor(
  coop: Pick<CartCoop, 'flatCents' | 'freeOverCents'>,
  subtotalCents: number,
  delivery: Delivery = 'ship',
): number {
  if (delivery === 'pickup') return 0;
  if (coop.freeOverCents > 0 && subtotalCents >= coop.freeOverCents) return 0;
  return coop.flatCents;
}

/**
 * What the catalogue says about the cart's variants right now: the product,
 * its co-op and the units on hand. Each read is an `_id` lookup (the one
 * read sure to reach an index); a cart has few lines.
 */
async function loadCatalogue(items: CartItem[]) {
  const productIds = [...new Set(items.map((i) => i.productId))].filter((id) => Types.ObjectId.isValid(id));
  const readCoop = (id: string) => findCoop(id);
  // All in one round: the co-ops the read model names are read beside the products and the stock.
  const guessed = [...new Set((await getProductsByIds(productIds)).map((p) => p.coopId))];
  const [products, levels, coops] = await Promise.all([
    readProductsLive(productIds),
    readOnHandLive(items),
    Promise.all(guessed.map(readCoop)),
  ]);
  const byProduct = new Map(products.map((p) => [String(p._id), p] as const));
  // A product the read model does not list (yet), or that moved co-op since, has its co-op read now.
  const missing = [...new Set([...byProduct.values()].map((p) => String(p.coop)))].filter((id) => !guessed.includes(id));
  coops.push(...(await Promise.all(missing.map(readCoop))));
  const byCoop = new Map(coops.flatMap((c) => (c ? [[String(c._id), c] as const] : [])));
  const stock = new Map(items.map((i, n) => [cartKey(i.productId, i.sku), levels[n] ?? 0]));
  return { byProduct, byCoop, stock };
}

/**
 * The same facts from the catalogue's in-memory read model: no database
 * query. It holds only listed products of approved co-ops, and stock as
 * last loaded (this process: within half a second of a checkout; others:
 * within the catalogue's poll of 2 s). Good for showing and filling the
 * cart; checkout re-reads everything from the database (`live`).
 */
async function loadFromReadModel(items: CartItem[]): Promise<Awaited<ReturnType<typeof loadCatalogue>>> {
  const products = await getProductsByIds([...new Set(items.map((i) => i.productId))]);
  const byProduct = new Map(
    products.map(
      (p) =>
        [
          p.id,
          {
            _id: p.id,
            coop: p.coopId,
            slug: p.slug,
            category: p.category,
            name: p.name,
            variants: p.variants,
            ivaRate: p.ivaRate,
            published: true,
            archived: false,
          },
        ] as const,
    ),
  );
  const byCoop = new Map(
    products.map(
      (p) =>
        [
          p.coopId,
          {
            _id: p.coopId,
            name: p.coop.name,
            slug: p.coop.slug,
            status: 'approved',
            shipping: p.coop.shipping,
            legalName: p.coop.legal.name,
            vatNumber: p.coop.legal.vatNumber,
            seat: p.coop.legal.seat,
          },
        ] as const,
    ),
  );
  const stock = new Map(items.map((i) => [cartKey(i.productId, i.sku), onHandOf(i.productId, i.sku)]));
  return { byProduct, byCoop, stock } as unknown as Awaited<ReturnType<typeof loadCatalogue>>;
}

/**
 * Prices a cart from the server's data only: the price of each variant,
 * the co-op's shipping, IVA per rate. Lines that cannot be bought as they
 * are become `problems` and are left out of the totals.
 * `deliveries` chooses pickup per co-op (when the co-op offers it);
 * `live` reads the database instead of the catalogue's read model (checkout).
 */
export async function priceCart(
  items: CartItem[],
  deliveries: Record<string, Delivery> = {},
  { live = false, promo }: { live?: boolean; promo?: { code?: string | null; at?: Date } } = {},
): Promise<PricedCart> {
  const { byProduct, byCoop, stock } = live ? await loadCatalogue(items) : await loadFromReadModel(items);
  const groups = new Map<string, CartGroup>();
  const problems: CartProblem[] = [];
  for (const item of items) {
    const key = cartKey(item.productId, item.sku);
    const product = byProduct.get(item.productId);
    const coop = product && byCoop.get(String(product.coop));
    const variant = product?.variants.find((v) => v.sku === item.sku);
    const name = { it: product?.name?.it ?? '', en: product?.name?.en ?? '' };
    if (!product || !coop || !variant || !product.published || product.archived || coop.status !== 'approved') {
      problems.push({ key, name, reason: 'unavailable', available: 0 });
      continue;
    }
    const available = stock.get(key) ?? 0;
    if (available <= 0) {
      problems.push({ key, name, reason: 'sold_out', available: 0 });
      continue;
    }
    if (item.quantity > available) problems.push({ key, name, reason: 'limited', available });
    const coopId = String(coop._id);
    let group = groups.get(coopId);
    if (!group) {
      const s = coop.shipping;
      group = {
        coop: {
          id: coopId,
          name: coop.name,
          slug: coop.slug,
          pickup: !!s?.pickup,
          flatCents: s?.flatCents ?? 0,
          freeOverCents: s?.freeOverCents ?? 0,
          legal: { name: coop.legalName || coop.name, vatNumber: coop.vatNumber ?? '', seat: coop.seat ?? '' },
        },
        lines: [],
        subtotalCents: 0,
        shippingCents: 0,
        freeShippingGapCents: 0,
        discount: noDiscount(coopId),
        discountCents: 0,
        paidCents: 0,
      };
      groups.set(coopId, group);
    }
    const quantity = Math.min(item.quantity, available);
    group.lines.push({
      key,
      productId: item.productId,
      sku: item.sku,
      slug: product.slug,
      coopId,
      category: String(product.category ?? ''),
      name,
      variantLabel: { it: variant.label?.it ?? '', en: variant.label?.en ?? '' },
      unitCents: variant.priceCents,
      quantity,
      lineCents: variant.priceCents * quantity,
      ivaRate: product.ivaRate,
      available,
      discountCents: 0,
      discounts: [],
    });
  }
  const list = [...groups.values()];
  for (const g of list) {
    g.subtotalCents = g.lines.reduce((n, l) => n + l.lineCents, 0);
    const delivery = g.coop.pickup && deliveries[g.coop.id] === 'pickup' ? 'pickup' : 'ship';
    g.shippingCents = shippingFor(g.coop, g.subtotalCents, delivery);
    g.freeShippingGapCents =
      delivery === 'ship' && g.shippingCents > 0 && g.coop.freeOverCents > 0 ? g.coop.freeOverCents - g.subtotalCents : 0;
    g.paidCents = g.subtotalCents + g.shippingCents;
  }
  const promotion = promo ? await discount(list, promo.code ?? null, promo.at ?? new Date(), live) : NO_PROMOTION;
  const subtotalCents = list.reduce((n, g) => n + g.subtotalCents, 0);
  const shippingCents = list.reduce((n, g) => n + g.shippingCents, 0);
  const discountCents = list.reduce((n, g) => n + g.discountCents, 0);
  return {
    groups: list,
    problems,
    itemCount: unitsIn(items),
    subtotalCents,
    shippingCents,
    discountCents,
    totalCents: subtotalCents + shippingCents - discountCents,
    // Each co-op sells its own goods: IVA per co-op (shipping follows its goods' rates), then added up.
    iva: sumIva(list.map(groupIva)),
    promotion,
  };
}

const NO_PROMOTION: CartPromotion = { code: null, error: null, applied: [] };

function noDiscount(coopId: string): GroupDiscount {
  return { coopId, goodsCoopCents: 0, goodsPlatformCents: 0, shippingCoopCents: 0, shippingPlatformCents: 0, shipping: [] };
}

/** One co-op's IVA, on what the buyer pays: each line and the shipping after their discounts (the taxable base follows the price). */
export function groupIva(g: CartGroup) {
  const d = g.discount;
  return ivaBreakdown(
    g.lines.map((l) => ({ rate: l.ivaRate, cents: l.lineCents - l.discountCents })),
    g.shippingCents - d.shippingCoopCents - d.shippingPlatformCents,
  );
}

/**
 * Applies the typed code and the automatic promotions in force to the
 * priced groups (promotions' pure `applyPromotions`), writing each line's
 * and each co-op's discount into them. Only the code's text comes from
 * the buyer: which promotion it is, who funds it and how much it takes off
 * are read and worked out here.
 */
async function discount(groups: CartGroup[], code: string | null, at: Date, live: boolean): Promise<CartPromotion> {
  // Shown carts use this process's copy of the automatic promotions; checkout reads them afresh.
  const found = await findForCart(code, at, { fresh: live });
  const result = applyPromotions(
    groups.map((g) => ({
      coopId: g.coop.id,
      shippingCents: g.shippingCents,
      lines: g.lines.map((l) => ({
        key: l.key,
        productId: l.productId,
        coopId: l.coopId,
        department: isCategory(l.category) ? departmentOf(l.category) : '',
        lineCents: l.lineCents,
      })),
    })),
    found.code,
    found.automatic,
  );
  for (const g of groups) {
    for (const l of g.lines) {
      l.discounts = result.lines.get(l.key) ?? [];
      l.discountCents = l.discounts.reduce((n, p) => n + p.cents, 0);
    }
    g.discount = result.groups.get(g.coop.id) ?? noDiscount(g.coop.id);
    const d = g.discount;
    g.discountCents = d.goodsCoopCents + d.goodsPlatformCents + d.shippingCoopCents + d.shippingPlatformCents;
    g.paidCents = g.subtotalCents + g.shippingCents - g.discountCents;
  }
  const applied = result.applied.map(({ promotion: p, cents }) => ({
    id: p.id,
    code: p.code,
    name: p.name,
    funder: p.funder.kind,
    funderCoopId: p.funder.kind === 'coop' ? p.funder.coopId : null,
    cents,
  }));
  return {
    code,
    error: found.codeError ?? result.codeNotEligible,
    applied,
  };
}

/** Where a cart lives: a signed-in user's document, or the guest's session. */
export interface CartOwner {
  userId?: string;
  session: { cart?: CartItem[] };
  /**
   * The signed-in user's `cart` stamp as read with the user on this request
   * ('' when it never moved): with it, a page may show the saved cart as this
   * process last read it (see `readCart`).
   */
  cartStamp?: string;
}

/** A signed-in user's saved cart as this process last read it, with the user's cart stamp at the time. */
const heldCarts = new Map<string, { stamp: string; items: string; at: number }>();
const MAX_HELD_CARTS = 5_000;
/**
 * A held cart is read again after this long even when the stamp has not
 * moved: the bound on a change whose stamp was lost (a crash between the
 * cart's write and the stamp's).
 */
const HELD_CART_MS = 60_000;

/**
 * The cart's lines. A guest's come from the session. A signed-in user's
 * saved cart is read from the database; with `held` (pages that only show
 * it: the header's count, the cart page), the copy this process read last
 * serves while the user's cart stamp is the one read with it. Every write
 * moves the stamp after writing, so a change made in any process shows on
 * the next page. Checkout reads the database.
 */
export async function readCart(owner: CartOwner, { held = false }: { held?: boolean } = {}): Promise<CartItem[]> {
  if (!owner.userId) return owner.session.cart ?? [];
  const stamp = held ? owner.cartStamp : undefined;
  if (stamp !== undefined) {
    const h = heldCarts.get(owner.userId);
    if (h && h.stamp === stamp && Date.now() - h.at < HELD_CART_MS) return JSON.parse(h.items) as CartItem[];
  }
  const at = Date.now();
  const items = (await CartModel.findById(owner.userId, { items: 1 }).lean())?.items ?? [];
  if (stamp !== undefined) {
    heldCarts.delete(owner.userId);
    if (heldCarts.size >= MAX_HELD_CARTS) heldCarts.delete(heldCarts.keys().next().value!);
    heldCarts.set(owner.userId, { stamp, items: JSON.stringify(items), at });
  }
  return items;
}

export async function writeCart(owner: CartOwner, items: CartItem[]): Promise<void> {
  const clean = items.map((i) => ({ productId: i.productId, sku: i.sku, quantity: i.quantity }));
  if (owner.userId) {
    await CartModel.updateOne({ _id: owner.userId }, { $set: { items: clean } }, { upsert: true });
    heldCarts.delete(owner.userId);
    await stampUser(owner.userId, 'cart');
  } else if (clean.length) {
    owner.session.cart = clean;
  } else {
    delete owner.session.cart;
  }
}

/** The units in a cart's lines. */
export const unitsIn = (lines: readonly { quantity: number }[]): number => lines.reduce((n, i) => n + i.quantity, 0);

/** Units in the cart, for the header. Guests with no cart cost nothing; users the held copy, or one `_id` read. */
export async function cartCount(owner: CartOwner): Promise<number> {
  if (!owner.userId && !owner.session.cart?.length) return 0;
  return unitsIn(await readCart(owner, { held: true }));
}

/**
 * Adds units of a variant, checking it can be bought. Asking for more than
 * is on hand keeps what is on hand (`limited: true`); none at all is 409.
 */
export async function addItem(owner: CartOwner, input: CartItem): Promise<{ quantity: number; limited: boolean }> {
  const items = await readCart(owner);
  const existing = items.find((i) => i.productId === input.productId && i.sku === input.sku);
  const wanted = Math.min((existing?.quantity ?? 0) + input.quantity, MAX_QUANTITY);
  const priced = await priceCart([{ ...input, quantity: wanted }]);
  const problem = priced.problems[0];
  if (problem?.reason === 'unavailable') throw notFound('product_unavailable', 'This product cannot be bought');
  if (problem?.reason === 'sold_out') throw conflict('sold_out', 'Sold out');
  const quantity = Math.min(wanted, problem?.available ?? wanted);
  if (existing) existing.quantity = quantity;
  else items.push({ productId: input.productId, sku: input.sku, quantity });
  await writeCart(owner, items);
  return { quantity, limited: quantity < wanted };
}

/** Sets a line's quantity (0 removes it), limited by the units on hand. */
export async function setQuantity(owner: CartOwner, key: string, quantity: number): Promise<{ quantity: number; limited: boolean }> {
  const items = await readCart(owner);
  const item = items.find((i) => cartKey(i.productId, i.sku) === key);
  if (!item) throw notFound('cart_line_not_found', 'Not in the cart');
  if (quantity === 0) {
    await writeCart(
      owner,
      items.filter((i) => i !== item),
    );
    return { quantity: 0, limited: false };
  }
  const priced = await priceCart([{ ...item, quantity }]);
  const problem = priced.problems[0];
  const kept = problem ? Math.min(quantity, problem.available) : quantity;
  if (kept === 0) throw new AppError(problem?.reason === 'unavailable' ? 'product_unavailable' : 'sold_out', 'Cannot be bought now', 409);
  item.quantity = kept;
  await writeCart(owner, items);
  return { quantity: kept, limited: kept < quantity };
}

export async function removeItem(owner: CartOwner, key: string): Promise<void> {
  const items = await readCart(owner);
  await writeCart(
    owner,
    items.filter((i) => cartKey(i.productId, i.sku) !== key),
  );
}

/** Two carts as one: the same variant's quantities add up (to the per-line maximum). */
export function mergeItems(a: CartItem[], b: CartItem[]): CartItem[] {
  const out = a.map((i) => ({ ...i }));
  for (const i of b) {
    const same = out.find((o) => o.productId === i.productId && o.sku === i.sku);
    if (same) same.quantity = Math.min(same.quantity + i.quantity, MAX_QUANTITY);
    else out.push({ ...i });
  }
  return out;
}

/** At sign-in: the guest's session cart joins the user's saved cart, and leaves the session. */
export async function mergeGuestCart(userId: string, session: { cart?: CartItem[] }): Promise<void> {
  const guest = session.cart ?? [];
  if (!guest.length) return;
  const saved = await readCart({ userId, session });
  await writeCart({ userId, session }, mergeItems(saved, guest));
  delete session.cart;
}

/** Empties a cart (after the order is paid or placed). */
export async function clearCart(owner: CartOwner): Promise<void> {
  await writeCart(owner, []);
}
