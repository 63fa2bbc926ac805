import { AppError } from '../platform/errors';

/**
 * The two state machines of an order. An order moves
 * pending_payment → paid → completed, or ends cancelled / refunded.
 * Each co-op share is fulfilled on its own: paid → preparing → shipped →
 * delivered, or, for pickup at the co-op, paid → preparing → ready_for_pickup
 * → collected. Anything not listed here is an illegal move.
 * One way back from cancelled: a payment that arrives after the order was
 * cancelled (a delayed method, a session that stayed open) moves it and its
 * shares to paid when its stock could be taken again (orders.service,
 * settleLatePayment); otherwise it stays cancelled and is refunded.
 */
export const ORDER_STATUSES = ['pending_payment', 'paid', 'completed', 'cancelled', 'refunded'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const SHARE_STATUSES = [
  'pending_payment',
  'paid',
  'preparing',
  'shipped',
  'delivered',
  'ready_for_pickup',
  'collected',
  'cancelled',
  'refunded',
] as const;
export type ShareStatus = (typeof SHARE_STATUSES)[number];

const ORDER_MOVES: Record<OrderStatus, readonly OrderStatus[]> = {
  pending_payment: ['paid', 'cancelled'],
  paid: ['completed', 'refunded'],
  completed: ['refunded'],
  cancelled: ['paid'],
  refunded: [],
};

const SHARE_MOVES: Record<ShareStatus, readonly ShareStatus[]> = {
  pending_payment: ['paid', 'cancelled'],
  paid: ['preparing', 'shipped', 'ready_for_pickup', 'refunded'],
  preparing: ['shipped', 'ready_for_pickup', 'refunded'],
  shipped: ['delivered', 'refunded'],
  delivered: ['refunded'],
  ready_for_pickup: ['collected', 'refunded'],
  collected: ['refunded'],
  cancelled: ['paid'],
  refunded: [],
};

/** Fulfilment moves depend on how the share is delivered. */
const SHIP_ONLY: ShareStatus[] = ['shipped', 'delivered'];
const PICKUP_ONLY: ShareStatus[] = ['ready_for_pickup', 'collected'];

export const canMoveOrder = (from: OrderStatus, to: OrderStatus): boolean => ORDER_MOVES[from].includes(to);

export function canMoveShare(from: ShareStatus, to: ShareStatus, delivery: 'ship' | 'pickup' = 'ship'): boolean {
  if (!SHARE_MOVES[from].includes(to)) return false;
  if (delivery === 'ship' && PICKUP_ONLY.includes(to)) return false;
  if (delivery === 'pickup' && SHIP_ONLY.includes(to)) return false;
  return true;
}

/** Throws `illegal_transition` (409) unless the move is allowed. */
export function assertOrderMove(from: OrderStatus, to: OrderStatus): void {
  if (!canMoveOrder(from, to))
    throw new AppError('illegal_transition', `Order cannot go from ${from} to ${to}`, 409, { details: { from, to } });
}

export function assertShareMove(from: ShareStatus, to: ShareStatus, delivery: 'ship' | 'pickup' = 'ship'): void {
  if (!canMoveShare(from, to, delivery)) {
    throw new AppError('illegal_transition', `Share cannot go from ${from} to ${to}`, 409, { details: { from, to, delivery } });
  }
}

/** The fulfilment moves a co-op can make next from `from` (for the workspace's buttons). */
export function nextShareMoves(from: ShareStatus, delivery: 'ship' | 'pickup'): ShareStatus[] {
  return SHARE_MOVES[from].filter((to) => to !== 'refunded' && to !== 'cancelled' && to !== 'paid' && canMoveShare(from, to, delivery));
}
