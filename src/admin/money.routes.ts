import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { coopNames, coopNamesOf } from '../coops';
import type { PaymentGateway } from '../payments';
import type { Mailer } from '../platform/mail';
import { isAppError } from '../platform/errors';
import { parseMoney } from '../platform/money';
import { flash } from '../platform/web';
import {
  LEDGER_KINDS,
  backfillCommissionLedger,
  createRefund,
  refundable,
  retryRefund,
  ledgerCsv,
  listLedger,
  orderBalance,
  reconcileOrder,
  recentPaidOrders,
  type Difference,
} from '../payouts';
import { LedgerQuery, OrderIdParams, RetryRefundBody, dayAfter, dayStart, parseParams, parseRefundForm } from './admin.schemas';

export interface MoneyRoutesDeps {
  payments: PaymentGateway;
  mailer: Mailer;
}

const REFUNDABLE_STATUSES = new Set(['paid', 'completed', 'refunded']);

/** An order's money (refunds, ledger, balance), the ledger with its CSV, and the reconciliation with Stripe. */
export function moneyAdminRoutes(deps: MoneyRoutesDeps): Router {
  const router = Router();

  async function renderOrder(
    req: Request,
    res: Response,
    orderId: string,
    status = 200,
    errors: Record<string, string> = {},
    values: Record<string, unknown> = {},
  ) {
    const [r, ledger, balance] = await Promise.all([refundable(orderId), listLedger({ orderId }), orderBalance(orderId)]);
    res.status(status).render('admin/order', {
      title: req.t('admin.order.title', { number: r.order.number }),
      r,
      ledger,
      balance,
      canRefund: REFUNDABLE_STATUSES.has(r.order.status) && !!r.order.payment?.paymentIntentId && r.remaining > 0,
      errors,
      values: { mode: 'lines', ...values },
      // A new request id per rendering: submitting this form twice is one refund.
      requestId: typeof values.requestId === 'string' ? values.requestId : randomUUID(),
    });
  }

  router.get('/admin/orders/:orderId', async (req, res) => {
    const { orderId } = parseParams(OrderIdParams, req.params);
    await renderOrder(req, res, orderId);
  });

  router.post('/admin/orders/:orderId/refund', async (req, res) => {
    const { orderId } = parseParams(OrderIdParams, req.params);
    const body = req.body as Record<string, unknown>;
    const values = Object.fromEntries(
      Object.entries(body)
        .filter(([k]) => k !== '_csrf')
        .map(([k, v]) => [k, String(v)]),
    );
    const r = await refundable(orderId);
    const parsed = parseRefundForm(body, r, parseMoney);
    if (!parsed.ok) return renderOrder(req, res, orderId, 422, parsed.errors, values);
    try {
      const refund = await createRefund(
        req.user!.id,
        { orderId, ...parsed.value },
        { gateway: deps.payments, mailer: deps.mailer, onError: (err) => req.log?.warn?.({ err }, 'refund follow-up failed') },
      );
      flash(req, 'success', 'admin.refund.done', { amount: res.locals.money(refund.amount) });
      res.redirect(303, `/admin/orders/${orderId}`);
    } catch (err) {
      if (!isAppError(err) || (err.status >= 500 && err.code !== 'refund_failed')) throw err;
      return renderOrder(req, res, orderId, err.code === 'refund_failed' ? 502 : 422, { form: `admin.refund.errors.${err.code}` }, values);
    }
  });

  router.post('/admin/orders/:orderId/refunds/retry', async (req, res) => {
    const { orderId } = parseParams(OrderIdParams, req.params);
    const parsed = RetryRefundBody.safeParse(req.body);
    if (!parsed.success || !parsed.data.refundId.startsWith(`refund:${orderId}:`))
      return renderOrder(req, res, orderId, 422, { form: 'admin.refund.errors.confirm' });
    try {
      await retryRefund(req.user!.id, parsed.data.refundId, { gateway: deps.payments, mailer: deps.mailer });
      flash(req, 'success', 'admin.refund.retried');
      res.redirect(303, `/admin/orders/${orderId}`);
    } catch (err) {
      if (!isAppError(err) || (err.status >= 500 && err.code !== 'refund_failed')) throw err;
      return renderOrder(req, res, orderId, err.code === 'refund_failed' ? 502 : 409, { form: `admin.refund.errors.${err.code}` });
    }
  });

  async function ledgerFilter(req: Request) {
    await backfillCommissionLedger();
    const parsed = LedgerQuery.safeParse(req.query);
    const f = parsed.success ? parsed.data : LedgerQuery.parse({});
    const kind = (LEDGER_KINDS as readonly string[]).includes(f.kind) ? f.kind : '';
    return {
      filter: { ...f, kind },
      entries: await listLedger(
        { coopId: f.coop || undefined, orderId: f.order || undefined, kind: kind || undefined, from: dayStart(f.from), to: dayAfter(f.to) },
        5000,
      ),
    };
  }

  router.get('/admin/ledger', async (req, res) => {
    const { filter, entries } = await ledgerFilter(req);
    const coops = await coopNames();
    const qs = new URLSearchParams(Object.entries(filter).filter(([, v]) => v) as [string, string][]).toString();
    res.render('admin/ledger', {
      title: req.t('admin.ledger.title'),
      filter,
      entries: entries.slice(0, 500),
      total: entries.length,
      coops,
      kinds: LEDGER_KINDS,
      csvUrl: `/admin/ledger.csv${qs ? `?${qs}` : ''}`,
      coopNames: new Map(coops.map((c) => [c.id, c.name])),
    });
  });

  router.get('/admin/ledger.csv', async (req, res) => {
    const { entries } = await ledgerFilter(req);
    res.type('text/csv; charset=utf-8');
    res.attachment(`filiera-ledger-${new Date().toISOString().slice(0, 10)}.csv`);
    res.send(ledgerCsv(entries));
  });

  router.get('/admin/reconciliation', async (req, res) => {
    const run = req.query.run === '1';
    const results: { orderId: string; orderNumber: string; differences: Difference[] }[] = [];
    let unreachable = 0;
    let compared = 0;
    if (run) {
      for (const o of await recentPaidOrders(30)) {
        try {
          const r = await reconcileOrder(o.id, deps.payments);
          compared++;
          if (r.differences.length) results.push({ orderId: o.id, orderNumber: r.orderNumber, differences: r.differences });
        } catch (err) {
          req.log?.warn?.({ err, orderId: o.id }, 'reconciliation could not read Stripe');
          unreachable++;
        }
      }
    }
    const coopIds = [
      ...new Set(
        results.flatMap((r) => r.differences.map((d) => d.coopId)).filter((id): id is string => !!id && /^[a-f\d]{24}$/i.test(id)),
      ),
    ];
    res.render('admin/reconciliation', {
      title: req.t('admin.reconciliation.title'),
      run,
      results,
      compared,
      unreachable,
      coopNames: await coopNamesOf(coopIds),
    });
  });

  return router;
}
