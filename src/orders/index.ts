/**
 * What other features may use from orders (payments' events reach it
 * through wireOrders; payouts, the co-op workspace and admin read orders
 * through the queries below). The models stay private.
 */
export {
  createOrders,
  wireOrders,
  ordersJobs,
  transitionShare,
  markRefunded,
  flagOrder,
  LATE_REFUND_REQUEST,
  type Orders,
  type OrdersDeps,
  type LateStep,
  type MarkOrderPaidInput,
  type MarkPaidResult,
  type ReleaseOrderInput,
} from './orders.service';
export {
  getOrder,
  getShare,
  sharesForOrder,
  ordersForUser,
  orderByViewToken,
  latePaidOrders,
  findShares,
  orderByPayment,
  recentPaidOrders,
  paidOrdersSince,
  sharesOfOrders,
  ordersByIds,
  type ShareQuery,
} from './order-queries';
export { type CommissionFor, type CheckoutQuote, type ShareQuote } from './checkout.service';
export {
  ORDER_STATUSES,
  SHARE_STATUSES,
  canMoveOrder,
  canMoveShare,
  assertShareMove,
  nextShareMoves,
  type OrderStatus,
  type ShareStatus,
} from './states';
export {
  type Order,
  type OrderLine,
  type ShippingAddress,
  type LatePayment,
  type DiscountSnapshot,
  type OrderPromotion,
} from './order.model';
export { shareId, sharePaid, type CoopShare } from './coop-share.model';
export { checkoutRoutes, type CheckoutRoutesDeps } from './orders.routes';
export { withdrawalRoutes, WITHDRAWAL_LIMIT } from './withdrawal.routes';
