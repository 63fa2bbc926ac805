import { groupIva, priceCart, type CartItem, type Delivery, type IvaPart, type PricedCart } from '../cart';
import { AppError } from '../platform/errors';
import { shareMoney, type DiscountPart } from '../promotions';

/**
 * The commission (basis points) in force for each co-op at `at`, else
 * `fallbackBps`. Payouts keeps the rates; the composition (createApp)
 * gives orders this function, so orders never imports payouts.
 */
export type CommissionFor = (coopIds: string[], at: Date, fallbackBps: number) => Promise<Map<string, number>>;

/** The least a card payment can be (Stripe's minimum charge in euro). */
export const MIN_CHARGE_CENTS = 50;

export interface ShareQuote {
  coopId: string;
  coopName: string;
  /** Who sells this part (the co-op's legal identity), kept on the order as it was when it was placed. */
  seller: { name: string; vatNumber: string; seat: string };
  delivery: Delivery;
  subtotalCents: number;
  shippingCents: number;
  commissionBps: number;
  commissionCents: number;
  netCents: number;
  /** Discounts on this part: all, the co-op's own, the platform's, and the part off shipping. */
  discountCents: number;
  coopDiscountCents: number;
  platformDiscountCents: number;
  shippingDiscountCents: number;
  /** Each promotion's part of this share's discount (goods and shipping). */
  discounts: DiscountPart[];
  /** What the buyer pays for this part, and what the platform keeps of it (negative when it gives more than its commission). */
  paidCents: number;
  platformCents: number;
  /** The co-op's own IVA: it sells its goods, and its shipping follows their rates (on the discounted prices). */
  iva: IvaPart[];
}

export interface CheckoutQuote {
  cart: PricedCart;
  shares: ShareQuote[];
  /** What the platform keeps: the commissions less what it gives in discounts (may be negative). */
  platformCents: number;
  /** What the platform gives in discounts. */
  platformDiscountCents: number;
  totalCents: number;
}

/**
 * Prices the cart for checkout and splits it: per co-op its goods, its
 * shipping, the commission at its rate now (on the goods), and what it
 * is owed. Refuses an empty cart and a cart with lines that cannot be
 * bought as they are (nothing is created; the cart stays as it is).
 */
export async function quoteCheckout(
  items: CartItem[],
  deliveries: Record<string, Delivery>,
  commissionDefaultBps: number,
  commissionFor: CommissionFor,
  at = new Date(),
  code: string | null = null,
): Promise<CheckoutQuote> {
  if (!items.length) throw new AppError('cart_empty', 'The cart is empty', 422);
  const cart = await priceCart(items, deliveries, { live: true, promo: { code, at } });
  // A code that stopped applying since the cart showed it (expired, used up): the buyer is told, nothing is placed.
  if (cart.promotion.error) throw new AppError(`promotion_${cart.promotion.error}`, 'The discount code no longer applies', 409);
  // A card payment has a floor (Stripe's 0,50 €): discounts may not bring an order under it.
  if (cart.discountCents > 0 && cart.totalCents < MIN_CHARGE_CENTS)
    throw new AppError('promotion_total_too_low', 'The discounts leave less than can be charged', 409);
  if (cart.problems.length)
    throw new AppError('cart_changed', 'Some items in the cart changed', 409, { details: { problems: cart.problems.map((p) => p.key) } });
  if (!cart.groups.length) throw new AppError('cart_empty', 'The cart is empty', 422);
  const rates = await commissionFor(
    cart.groups.map((g) => g.coop.id),
    at,
    commissionDefaultBps,
  );
  const shares = cart.groups.map((g): ShareQuote => {
    const commissionBps = rates.get(g.coop.id) ?? commissionDefaultBps;
    const m = shareMoney(g.subtotalCents, g.shippingCents, commissionBps, g.discount);
    return {
      coopId: g.coop.id,
      coopName: g.coop.name,
      seller: g.coop.legal,
      delivery: g.coop.pickup && deliveries[g.coop.id] === 'pickup' ? 'pickup' : 'ship',
      subtotalCents: g.subtotalCents,
      shippingCents: g.shippingCents,
      commissionBps,
      commissionCents: m.commissionCents,
      netCents: m.netCents,
      discountCents: m.discountCents,
      coopDiscountCents: m.coopDiscountCents,
      platformDiscountCents: m.platformDiscountCents,
      shippingDiscountCents: m.shippingDiscountCents,
      discounts: sharePartsOf(g),
      paidCents: m.paidCents,
      platformCents: m.platformCents,
      iva: groupIva(g),
    };
  });
  return {
    cart,
    shares,
    platformCents: shares.reduce((n, s) => n + s.platformCents, 0),
    platformDiscountCents: shares.reduce((n, s) => n + s.platformDiscountCents, 0),
    totalCents: cart.totalCents,
  };
}

/** A co-op part's discount per promotion: its lines' parts and its shipping's, added up by promotion. */
function sharePartsOf(g: PricedCart['groups'][number]): DiscountPart[] {
  const byPromotion = new Map<string, DiscountPart>();
  for (const p of [...g.lines.flatMap((l) => l.discounts), ...g.discount.shipping]) {
    const seen = byPromotion.get(p.promotion);
    if (seen) seen.cents += p.cents;
    else byPromotion.set(p.promotion, { ...p });
  }
  return [...byPromotion.values()];
}
