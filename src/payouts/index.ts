/**
 * What other features (and createApp) may use from payouts: the factory and
 * its wiring (orders, co-ops and payments reach payouts only through events),
 * and the reads and actions of the admin and co-op money pages.
 */
export { createPayouts, wirePayouts, payoutsJobs, type Payouts, type PayoutsDeps } from './payouts.service';
export {
  createTransfers,
  holdTransfer,
  getTransfer,
  listTransfers,
  policyDue,
  transferId,
  TRANSFER_STATUSES,
  type Transfers,
  type TransferDoc,
  type TransferStatus,
} from './transfers.service';
export { createCommissionRates, listCommissionRates, addCommissionRate, type CommissionRates, type RateRow } from './commission.service';
export {
  SHARE_MONEY_STATES,
  moneyState,
  listShareMoney,
  transferStateTotalsByWeek,
  refundEntriesSince,
  netOwedAgainstTransfer,
  coopBalance,
  recordOrderPaymentLedger,
  backfillCommissionLedger,
  owedBy,
  nextPayout,
  type NextPayout,
  type ShareMoneyState,
  type ShareMoneyRow,
  type ShareFilter,
  type CoopBalance,
} from './balances.service';
export { getBulkJob, MAX_BULK_ITEMS } from './bulk.service';
export {
  createRefund,
  completeRefund,
  retryRefund,
  refundable,
  planRefund,
  type RefundDeps,
  type RefundRequest,
  type Refundable,
} from './refunds.service';
export {
  orderBalance,
  listLedger,
  ledgerCsv,
  reconcileOrder,
  recentPaidOrders,
  compareWithStripe,
  DIFFERENCE_CODES,
  type Difference,
  type DifferenceCode,
  type OrderBalance,
  type LedgerFilter,
} from './reconciliation.service';
export {
  getPayoutSettings,
  setPayoutSettings,
  HOLD_POLICIES,
  DEFAULT_PAYOUT_SETTINGS,
  type PayoutSettingsView,
  type HoldPolicy,
} from './settings.service';
export { LEDGER_KINDS, type LedgerEntry, type LedgerKind } from './ledger.model';
