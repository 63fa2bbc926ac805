import { findShares, ordersByIds, type ShareStatus } from '../orders';
import { listShareMoney, owedBy, type ShareMoneyState } from '../payouts';
import { toCsv } from '../platform/csv';

/** Shares that count as sales: paid for and not cancelled or refunded. */
export const SOLD: ShareStatus[] = ['paid', 'preparing', 'shipped', 'delivered', 'ready_for_pickup', 'collected'];
const SHOWN: ShareStatus[] = [...SOLD, 'refunded'];

const monthKey = (d: Date) => `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;

/** The first day (UTC) of the month `back` months before `now`'s. */
function monthStart(now: Date, back: number): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
}

export interface OrderMoneyRow {
  shareId: string;
  orderNumber: string;
  placedAt?: Date;
  status: string;
  subtotalCents: number;
  shippingCents: number;
  commissionBps: number;
  commissionCents: number;
  netCents: number;
  /** Discounts on this share: the co-op's own (its net is lower by them) and Filiera's (out of its commission). */
  coopDiscountCents: number;
  platformDiscountCents: number;
  transferState: ShareMoneyState;
  transferredCents: number;
  reversedCents: number;
}

/**
 * A co-op's money over the last 12 months: sales by month and by product,
 * the commission the platform kept, what was transferred, held, still
 * pending and reversed (from the Transfer documents), what the co-op owes
 * (ledger), and each order's breakdown. Only this co-op's shares and lines.
 */
export async function moneyReport(coopId: string, now = new Date()) {
  const from = monthStart(now, 11);
  const [shares, money, owed] = await Promise.all([
    findShares({ coopId, statusIn: SHOWN, from }),
    listShareMoney({ coopId, from }, 5_000),
    owedBy(coopId),
  ]);
  const transferOf = new Map(money.rows.map((r) => [r.shareId, r]));

  const months = Array.from({ length: 12 }, (_, i) => ({ month: monthKey(monthStart(now, 11 - i)), salesCents: 0, orders: 0 }));
  const byMonth = new Map(months.map((m) => [m.month, m]));
  const totals = {
    salesCents: 0,
    shippingCents: 0,
    commissionCents: 0,
    netCents: 0,
    coopDiscountCents: 0,
    platformDiscountCents: 0,
    transferredCents: 0,
    heldCents: 0,
    pendingCents: 0,
    reversedCents: 0,
    owedCents: owed,
  };
  const orders: OrderMoneyRow[] = [];
  for (const s of shares) {
    const t = transferOf.get(s._id);
    const state: ShareMoneyState = t?.state ?? 'waiting_payment';
    const amount = t?.amount ?? s.netCents;
    const row: OrderMoneyRow = {
      shareId: s._id,
      orderNumber: s.orderNumber,
      placedAt: s.createdAt,
      status: s.status,
      subtotalCents: s.subtotalCents,
      shippingCents: s.shippingCents,
      commissionBps: s.commissionBps,
      commissionCents: s.commissionCents,
      netCents: s.netCents,
      coopDiscountCents: s.coopDiscountCents ?? 0,
      platformDiscountCents: s.platformDiscountCents ?? 0,
      transferState: state,
      transferredCents: ['sent', 'reversed_partly', 'reversed'].includes(state) ? amount : 0,
      reversedCents: t?.amountReversed ?? 0,
    };
    orders.push(row);
    totals.transferredCents += row.transferredCents;
    totals.reversedCents += row.reversedCents;
    if (state === 'held' || state === 'waiting_account') totals.heldCents += amount;
    if ((state === 'pending' || state === 'failed' || state === 'waiting_payment') && SOLD.includes(s.status))
      totals.pendingCents += amount;
    if (!SOLD.includes(s.status)) continue;
    totals.salesCents += s.subtotalCents;
    totals.shippingCents += s.shippingCents;
    totals.commissionCents += s.commissionCents;
    totals.netCents += s.netCents;
    totals.coopDiscountCents += row.coopDiscountCents;
    totals.platformDiscountCents += row.platformDiscountCents;
    const m = s.createdAt ? byMonth.get(monthKey(new Date(s.createdAt))) : undefined;
    if (m) {
      m.salesCents += s.subtotalCents;
      m.orders += 1;
    }
  }

  // Sales by product, from this co-op's lines of the orders sold.
  const soldOrderIds = [...new Set(shares.filter((s) => SOLD.includes(s.status)).map((s) => String(s.order)))];
  const orderDocs = await ordersByIds(soldOrderIds);
  const products = new Map<string, { name: { it: string; en: string }; quantity: number; salesCents: number }>();
  for (const o of orderDocs) {
    for (const l of o.lines) {
      if (String(l.coop) !== coopId) continue;
      const key = String(l.product);
      const p = products.get(key) ?? { name: l.name, quantity: 0, salesCents: 0 };
      p.quantity += l.quantity;
      p.salesCents += l.lineCents;
      products.set(key, p);
    }
  }
  return {
    from,
    months,
    products: [...products.values()].sort((a, b) => b.salesCents - a.salesCents),
    totals,
    orders,
  };
}

/** The per-order breakdown as CSV (amounts in euro with a dot, one row per order). */
export function moneyCsv(rows: OrderMoneyRow[]): string {
  const eur = (c: number) => (c / 100).toFixed(2);
  const header = [
    'order',
    'date',
    'status',
    'goods',
    'shipping',
    'commission_rate_percent',
    'commission',
    'net_due',
    'transfer_state',
    'transferred',
    'reversed',
    'own_discounts',
    'filiera_discounts',
  ];
  return toCsv(
    header,
    rows.map((r) => [
      r.orderNumber,
      r.placedAt ? new Date(r.placedAt).toISOString().slice(0, 10) : '',
      r.status,
      eur(r.subtotalCents),
      eur(r.shippingCents),
      (r.commissionBps / 100).toFixed(2),
      eur(r.commissionCents),
      eur(r.netCents),
      r.transferState,
      eur(r.transferredCents),
      eur(r.reversedCents),
      eur(r.coopDiscountCents),
      eur(r.platformDiscountCents),
    ]),
  );
}
