/** What other features may use from the cart. */
import { onAccountDeleted, registerLoginHook } from '../accounts';
import { CartModel } from './cart.model';
import { mergeGuestCart } from './cart.service';

export { cartRoutes, cartCountLocals, ownerOf } from './cart.routes';
export { priceCart, readCart, clearCart, shippingFor, type PricedCart, type CartGroup, type CartLine, type CartOwner, type Delivery } from './cart.service';
export type { CartItem } from './cart.model';
export { ivaBreakdown, splitOverRates, sumIva, type IvaPart } from './iva';

// A guest's cart joins the user's saved cart when they sign in.
registerLoginHook((req, userId) => mergeGuestCart(userId, req.session));
// A deleted account's saved cart goes with it.
onAccountDeleted(async (userId) => {
  await CartModel.deleteOne({ _id: userId });
});
