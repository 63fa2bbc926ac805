/** What other features may use from orders (payments, payouts, the co-op workspace, admin). */
import type { Job } from '../platform/jobs';
import { staleReservationsJob } from './orders.service';
import { interruptedSalesJob } from './reservations.service';

export {
  markOrderPaid,
  releaseOrder,
  getOrder,
  getShare,
  sharesForOrder,
  ordersForUser,
  transitionShare,
  configureOrders,
  sweepStaleReservations,
  markRefunded,
  latePaidOrders,
  type MarkOrderPaidInput,
  type MarkPaidResult,
  type ReleaseOrderInput,
  type OrdersDeps,
} from './orders.service';
export { ORDER_STATUSES, SHARE_STATUSES, canMoveOrder, canMoveShare, assertShareMove, nextShareMoves, type OrderStatus, type ShareStatus } from './states';
export { OrderModel, type Order, type OrderLine, type ShippingAddress, type LatePayment } from './order.model';
export { CoopShareModel, shareId, type CoopShare } from './coop-share.model';
export { checkoutRoutes } from './orders.routes';

/** The orders feature's periodic work (server.ts runs it): holds left by lost checkouts, sales a crash interrupted. */
export function ordersJobs(): Job[] {
  return [staleReservationsJob, interruptedSalesJob];
}
