/**
 * What the payment events need from the orders feature. Both calls are
 * idempotent on the orders side (a paid order stays paid; a released order
 * stays released), so an event handled twice changes nothing the second time.
 */
export interface MarkOrderPaidInput {
  orderId: string;
  sessionId: string;
  paymentIntentId?: string;
  chargeId?: string;
  amount: number;
  currency: string;
}

export type ReleaseOrderInput = ({ orderId: string; sessionId?: string } | { sessionId: string; orderId?: string }) & { reason: string };

export interface OrdersPort {
  markOrderPaid(input: MarkOrderPaidInput): Promise<unknown>;
  releaseOrder(input: ReleaseOrderInput): Promise<unknown>;
}

/**
 * The orders feature's functions, looked up when first needed: the orders
 * feature imports payments (the gateway), so a static import both ways would
 * be a cycle at load time.
 */
export function defaultOrdersPort(): OrdersPort {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const orders = require('../orders') as Partial<OrdersPort>;
  if (typeof orders.markOrderPaid !== 'function' || typeof orders.releaseOrder !== 'function') {
    throw new Error('orders feature does not export markOrderPaid/releaseOrder');
  }
  return { markOrderPaid: orders.markOrderPaid, releaseOrder: orders.releaseOrder };
}
