import { ivaBreakdown, priceCart, type CartItem, type Delivery, type IvaPart, type PricedCart } from '../cart';
import { AppError } from '../platform/errors';
import { basisPoints } from '../platform/money';

/**
 * The commission (basis points) in force for each co-op at `at`, else
 * `fallbackBps`. Payouts keeps the rates; the composition (createApp)
 * gives orders this function, so orders never imports payouts.
 */
export type CommissionFor = (coopIds: string[], at: Date, fallbackBps: number) => Promise<Map<string, number>>;

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
export async function quoteCheckout(
  items: CartItem[],
  deliveries: Record<string, Delivery>,
  commissionDefaultBps: number,
  commissionFor: CommissionFor,
  at = new Date(),
): Promise<CheckoutQuote> {
  if (!items.length) throw new AppError('cart_empty', 'The cart is empty', 422);
  const cart = await priceCart(items, deliveries, { live: true });
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
    const commissionCents = basisPoints(g.subtotalCents, commissionBps);
    return {
      coopId: g.coop.id,
      coopName: g.coop.name,
      seller: g.coop.legal,
      delivery: g.coop.pickup && deliveries[g.coop.id] === 'pickup' ? 'pickup' : 'ship',
      subtotalCents: g.subtotalCents,
      shippingCents: g.shippingCents,
      commissionBps,
      commissionCents,
      netCents: g.subtotalCents + g.shippingCents - commissionCents,
      iva: ivaBreakdown(
        g.lines.map((l) => ({ rate: l.ivaRate, cents: l.lineCents })),
        g.shippingCents,
      ),
    };
  });
  return { cart, shares, platformCents: shares.reduce((n, s) => n + s.commissionCents, 0), totalCents: cart.totalCents };
}
