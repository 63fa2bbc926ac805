import { Types } from 'mongoose';
import { OrderModel } from '../orders/order.model';
import { CoopShareModel } from '../orders/coop-share.model';

/**
 * What the transfers need to know of an order, behind one function so the
 * transfers depend on the Order and CoopShare layout in this file only.
 * Tests may pass their own source (`setTransferOrderSource`).
 */
export type ShareFulfilment = 'paid' | 'preparing' | 'shipped' | 'delivered' | 'ready_for_pickup' | 'collected' | 'cancelled' | 'refunded' | string;

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

export type TransferOrderSource = (orderId: string) => Promise<OrderForTransfers | null>;

// A refunded order was paid: its transfers (fixed ones may already be at Stripe) still follow their own state.
const PAID = new Set(['paid', 'completed', 'refunded']);

/** Reads the order and its co-op shares (each share a small document "<orderId>:<coopId>"). */
export const ordersSource: TransferOrderSource = async (orderId) => {
  if (!Types.ObjectId.isValid(orderId)) return null;
  const order = await OrderModel.findById(orderId, { number: 1, status: 1, currency: 1, payment: 1 }).lean();
  if (!order) return null;
  const shares = await CoopShareModel.find({ order: order._id }, { coop: 1, netCents: 1, status: 1, history: 1 }).lean();
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
};

let source: TransferOrderSource | null = ordersSource;

/** Registers how to read an order for transfers (the orders feature does this; tests may too). Returns the previous source. */
export function setTransferOrderSource(fn: TransferOrderSource | null): TransferOrderSource | null {
  const previous = source;
  source = fn;
  return previous;
}

export async function loadOrderForTransfers(orderId: string): Promise<OrderForTransfers | null> {
  return (source ?? ordersSource)(orderId);
}
