import { listCoopRows as listCoops, pendingCoopCount } from '../coops';
import { paidOrdersSince, sharesOfOrders } from '../orders';
import { refundEntriesSince, transferStateTotalsByWeek } from '../payouts';
import { barChart, type BarChartOptions } from '../platform/charts';

/** The overview's two charts sit side by side, so they are smaller than the workspace's one. */
const WEEK_CHART: BarChartOptions = { width: 560, height: 200, pad: { top: 4, right: 0, bottom: 24, left: 0 }, labelGap: 6 };

export interface WeekRow {
  week: string; // ISO date of the Monday
  sales: number;
  orders: number;
  commission: number;
  pending: number;
  held: number;
}

/** Monday (UTC) of the week holding `d`, as YYYY-MM-DD. */
export function weekOf(d: Date): string {
  const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const dow = (day.getUTCDay() + 6) % 7;
  day.setUTCDate(day.getUTCDate() - dow);
  return day.toISOString().slice(0, 10);
}

/**
 * The admin overview over the last `weeks` weeks: sales (charges), orders,
 * commission earned, and the transfers waiting and held, week by week, read
 * from the paid orders, the ledger and the transfer states; plus the co-ops waiting for approval.
 */
export async function overview(weeks = 8, now = new Date()) {
  const since = new Date(`${weekOf(new Date(now.getTime() - (weeks - 1) * 7 * 86_400_000))}T00:00:00Z`);
  // Sales and orders from the paid orders, commission from their shares' snapshots, refunds from the ledger.
  const orders = await paidOrdersSince(since);
  const shares = await sharesOfOrders(orders.map((o) => o._id));
  const refunds = await refundEntriesSince(since);
  const rows = new Map<string, WeekRow>();
  for (let i = 0; i < weeks; i++) {
    const w = weekOf(new Date(since.getTime() + i * 7 * 86_400_000));
    rows.set(w, { week: w, sales: 0, orders: 0, commission: 0, pending: 0, held: 0 });
  }
  const paidWeek = new Map<string, string>();
  for (const o of orders) {
    const w = weekOf(o.payment.paidAt!);
    paidWeek.set(String(o._id), w);
    const row = rows.get(w);
    if (!row) continue;
    row.sales += o.totalCents;
    row.orders += 1;
  }
  for (const s of shares) {
    const row = rows.get(paidWeek.get(String(s.order)) ?? '');
    if (row) row.commission += s.commissionCents;
  }
  for (const r of refunds) {
    const row = rows.get(weekOf(r.at));
    if (row) row.sales += r.amount; // refunds are negative
  }
  for (const t of await transferStateTotalsByWeek(since, weekOf)) {
    const row = rows.get(t.week);
    if (row) {
      row.pending += t.pending;
      row.held += t.held;
    }
  }
  const table = [...rows.values()];
  const totals = table.reduce(
    (a, r) => ({
      sales: a.sales + r.sales,
      orders: a.orders + r.orders,
      commission: a.commission + r.commission,
      pending: a.pending + r.pending,
      held: a.held + r.held,
    }),
    { sales: 0, orders: 0, commission: 0, pending: 0, held: 0 },
  );
  const [pendingCount, { pending }] = await Promise.all([pendingCoopCount(), listCoops()]);
  return {
    weeks: table,
    totals,
    pendingCount,
    pendingCoops: pending.slice(0, 10),
    charts: {
      sales: barChart(
        table.map((r) => ({ label: r.week.slice(5), value: r.sales })),
        WEEK_CHART,
      ),
      transfers: barChart(
        table.map((r) => ({ label: r.week.slice(5), value: r.pending + r.held })),
        WEEK_CHART,
      ),
    },
  };
}
