import mongoose, { Schema, type Types } from 'mongoose';

/**
 * The lasting record of one order's hold of one stock item (`_id`
 * "<orderId>|<stockId>"). The hold itself, and its units, live in the
 * StockLevel (`holds.<orderId>`, see catalog/stock.service.ts), which is
 * the truth; this document is written after it and says what became of
 * it: `held`, then `sold` when the order is paid, or `released` (units
 * given back) when the checkout expires or is cancelled, or the periodic job
 * finds it stale. See orders/reservations.service.ts for how each step
 * mends what a crash between the two writes left.
 */
export const RESERVATION_STATES = ['held', 'sold', 'released'] as const;
export type ReservationState = (typeof RESERVATION_STATES)[number];

export interface Reservation {
  _id: string;
  order: Types.ObjectId;
  stock: string;
  quantity: number;
  state: ReservationState;
  expiresAt: Date;
  createdAt?: Date;
  updatedAt?: Date;
}

const schema = new Schema<Reservation>(
  {
    _id: { type: String, required: true },
    order: { type: Schema.Types.ObjectId, ref: 'Order', required: true },
    stock: { type: String, required: true },
    quantity: { type: Number, required: true, min: 1 },
    state: { type: String, enum: RESERVATION_STATES, default: 'held' },
    expiresAt: { type: Date, required: true },
  },
  { timestamps: true, collection: 'reservations', versionKey: false },
);
schema.index({ order: 1 });
schema.index({ state: 1, expiresAt: 1 });

export const reservationId = (orderId: string | Types.ObjectId, stockId: string) => `${String(orderId)}|${stockId}`;
export const ReservationModel = mongoose.model<Reservation>('Reservation', schema);
