/** What other features may use from the cart. */
import '../accounts';
import type { EventBus } from '../platform/events';
import { CartModel } from './cart.model';
import { mergeGuestCart } from './cart.service';

export { cartRoutes, cartCountLocals, guestCartCount, userCartCount, ownerOf, promoOf } from './cart.routes';
export {
  priceCart,
  readCart,
  clearCart,
  shippingFor,
  type PricedCart,
  type CartGroup,
  type CartLine,
  type CartOwner,
  type AppliedPromotion,
  type CartPromotion,
  groupIva,
  type Delivery,
} from './cart.service';
export type { CartItem } from './cart.model';
export { ivaBreakdown, splitOverRates, sumIva, type IvaPart } from './iva';

/** Subscribes the cart to accounts' events; createApp calls it once. */
export function wireCart(events: EventBus): void {
  // A guest's cart joins the user's saved cart when they sign in.
  events.on('account.signed_in', ({ req, userId }) => mergeGuestCart(userId, req.session));
  // A deleted account's saved cart goes with it.
  events.on('account.deleted', async ({ userId }) => {
    await CartModel.deleteOne({ _id: userId });
  });
}
