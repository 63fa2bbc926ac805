/**
 * The payment provider behind one small interface. Only `stripe-*.ts`
 * files import `stripe`; the demo provider implements the same interface so
 * `npm start` works with no key. Every write takes an idempotency key derived
 * from what it does (e.g. `checkout:<orderId>`, `transfer:<orderId>:<coopId>`).
 * Amounts are integer cents, currency 'eur'.
 */
export interface CheckoutLine {
  name: string;
  unitAmount: number;
  quantity: number;
  metadata?: Record<string, string>;
}

export interface CreateCheckoutInput {
  orderId: string;
  orderNumber: string;
  lines: CheckoutLine[];
  customerEmail: string;
  locale: 'it' | 'en';
  successUrl: string;
  cancelUrl: string;
  expiresAt: Date;
  idempotencyKey: string;
}

export interface CheckoutSession {
  id: string;
  /** Where to send the buyer to pay. */
  url: string;
  expiresAt: Date;
}

export type PaymentStatus = 'paid' | 'unpaid' | 'no_payment_required';

export interface CompletedCheckout {
  sessionId: string;
  orderId?: string;
  paymentStatus: PaymentStatus;
  amountTotal: number;
  currency: string;
  paymentIntentId?: string;
  chargeId?: string;
}

export interface TransferInput {
  amount: number;
  destination: string;
  transferGroup: string;
  sourceTransaction?: string;
  metadata: Record<string, string>;
  idempotencyKey: string;
}

export interface RefundInput {
  paymentIntentId: string;
  amount: number;
  reason?: 'requested_by_customer' | 'duplicate' | 'fraudulent';
  metadata: Record<string, string>;
  idempotencyKey: string;
}

export interface ReversalInput {
  transferId: string;
  amount: number;
  metadata: Record<string, string>;
  idempotencyKey: string;
}

/**
 * Stripe's own record of one order's money, read for reconciliation: the
 * charges and transfers that carry the order's `transfer_group`, each
 * transfer's reversals, and the refunds of those charges. Read from Stripe's
 * objects (never from what our webhooks copied), so a reversal or refund
 * made in Stripe's dashboard shows here.
 */
export interface GroupCharge {
  id: string;
  amount: number;
  amountRefunded: number;
  /** Stripe's charge status: 'succeeded', 'pending' or 'failed'. */
  status: string;
  paymentIntentId?: string;
}

export interface GroupReversal {
  id: string;
  amount: number;
  metadata: Record<string, string>;
}

export interface GroupTransfer {
  id: string;
  amount: number;
  destination: string;
  amountReversed: number;
  metadata: Record<string, string>;
  reversals: GroupReversal[];
}

export interface GroupRefund {
  id: string;
  amount: number;
  status: string;
  chargeId?: string;
  metadata: Record<string, string>;
}

export interface TransferGroupMoney {
  charges: GroupCharge[];
  transfers: GroupTransfer[];
  refunds: GroupRefund[];
}

export interface ConnectedAccountState {
  id: string;
  transfersActive: boolean;
  payoutsEnabled: boolean;
  detailsSubmitted: boolean;
  currentlyDue: string[];
  pastDue: string[];
  disabledReason: string;
}

/** A provider error we can show and act on: `code` like 'balance_insufficient', 'timeout', 'unavailable'. */
export class PaymentProviderError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PaymentProviderError';
  }
}

export interface PaymentGateway {
  readonly kind: 'stripe' | 'demo';
  createCheckoutSession(input: CreateCheckoutInput): Promise<CheckoutSession>;
  retrieveCheckoutSession(sessionId: string): Promise<CompletedCheckout>;
  expireCheckoutSession(sessionId: string): Promise<void>;
  createTransfer(input: TransferInput): Promise<{ id: string }>;
  createRefund(input: RefundInput): Promise<{ id: string; status: string }>;
  createReversal(input: ReversalInput): Promise<{ id: string }>;
  listTransfers(transferGroup: string): Promise<{ id: string; amount: number; destination: string; amountReversed: number }[]>;
  listRefunds(paymentIntentId: string): Promise<{ id: string; amount: number; status: string }[]>;
  /** Reconciliation: every charge, transfer, reversal and refund Stripe holds for a `transfer_group` (= order number). */
  readTransferGroup(transferGroup: string): Promise<TransferGroupMoney>;
  createConnectedAccount(input: { coopId: string; email: string; idempotencyKey: string }): Promise<ConnectedAccountState>;
  retrieveConnectedAccount(accountId: string): Promise<ConnectedAccountState>;
  createOnboardingLink(input: { accountId: string; refreshUrl: string; returnUrl: string }): Promise<{ url: string }>;
  createDashboardLink(accountId: string): Promise<{ url: string }>;
}
