import { markOrderPaid, releaseOrder } from '../orders';

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

/** `sessionId`: the session that ended; an order with a newer session (a retry) is left alone. */
export type ReleaseOrderInput = { orderId: string; sessionId?: string; reason: string };

export interface OrdersPort {
  markOrderPaid(input: MarkOrderPaidInput): Promise<unknown>;
  releaseOrder(input: ReleaseOrderInput): Promise<unknown>;
}

/** The orders feature's own functions (tests pass a stub through `createPaymentEvents`). */
export function defaultOrdersPort(): OrdersPort {
  return { markOrderPaid, releaseOrder };
}
