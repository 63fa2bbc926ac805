import mongoose, { Schema } from 'mongoose';

/** One line of a cart: which variant and how many. Prices are never stored here. */
export interface CartItem {
  productId: string;
  sku: string;
  quantity: number;
}

/**
 * A signed-in user's cart, one document per user (`_id` is the user id), so
 * it follows them across devices. Guests keep theirs in the session.
 */
export interface Cart {
  _id: string;
  items: CartItem[];
  updatedAt?: Date;
}

const schema = new Schema<Cart>(
  {
    _id: { type: String, required: true },
    items: {
      type: [new Schema<CartItem>({ productId: String, sku: String, quantity: Number }, { _id: false })],
      default: [],
    },
  },
  { timestamps: true, collection: 'carts', versionKey: false },
);

export const CartModel = mongoose.model<Cart>('Cart', schema);
