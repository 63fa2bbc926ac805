import { getOrder, sharesForOrder } from '../orders';

/**
 * What the transfers need to know of an order, behind one function so the
 * transfers depend on the Order and CoopShare layout in this file only
 * (read through orders' front door).
 */
export type ShareFulfilment =
  'paid' | 'preparing' | 'shipped' | 'delivered' | 'ready_for_pickup' | 'collected' | 'cancelled' | 'refunded' | string;

export interface ShareForTransfer {
  shareId: string;
  coopId: string;
  /** What the co-op is owed for this share, in cents (subtotal + shipping − commission). */
  netDue: number;
  status: ShareFulfilment;
  shippedAt?: Date | null;
}

export interface OrderForTransfers {
  orderId: string;
  orderNumber: string;
  paid: boolean;
  chargeId?: string;
  currency: string;
  shares: ShareForTransfer[];
}

// A refunded order was paid: its transfers (fixed ones may already be at Stripe) still follow their own state.
const PAID = new Set(['paid', 'completed', 'refunded']);

/** Reads the order and its co-op shares (each share a small document "<orderId>:<coopId>", read by `_id`). */
export async function loadOrderForTransfers(orderId: string): Promise<OrderForTransfers | null> {
  const order = await getOrder(orderId);
  if (!order) return null;
  const shares = await sharesForOrder(order);
  return {
    orderId: String(order._id),
    orderNumber: order.number,
    paid: PAID.has(order.status),
    chargeId: order.payment?.chargeId || undefined,
    currency: order.currency || 'eur',
    shares: shares.map((s) => ({
      shareId: s._id,
      coopId: String(s.coop),
      netDue: s.netCents,
      status: s.status,
      shippedAt: [...(s.history ?? [])].reverse().find((h) => h.status === 'shipped')?.at ?? null,
    })),
  };
}
