import { Router, type Request, type Response } from 'express';
import { labeller } from '../platform/i18n';
import { coopNames, findCoop } from '../coops';
import { flash } from '../platform/web';
import { AppError } from '../platform/errors';
import { audit } from '../platform/audit';
import {
  BulkBody,
  ConfirmBody,
  CoopIdParams,
  HoldBody,
  JobIdParams,
  PayoutsQuery,
  SettingsBody,
  TransferIdParams,
  dayAfter,
  dayStart,
  parseParams,
} from './admin.schemas';
import {
  SHARE_MONEY_STATES,
  coopBalance,
  listShareMoney,
  moneyState,
  owedBy,
  getBulkJob,
  getPayoutSettings,
  setPayoutSettings,
  HOLD_POLICIES,
  getTransfer,
  holdTransfer,
  type Payouts,
  type ShareMoneyState,
} from '../payouts';

const snapshotOf = (
  t: {
    status: string;
    amount: number;
    amountReversed?: number;
    manualHold?: boolean;
    holdReason?: string;
    stripeTransferId?: string;
    lastError?: unknown;
  } | null,
) =>
  t && {
    status: t.status,
    amount: t.amount,
    amountReversed: t.amountReversed ?? 0,
    manualHold: !!t.manualHold,
    holdReason: t.holdReason ?? '',
    stripeTransferId: t.stripeTransferId ?? '',
    lastError: t.lastError ?? null,
  };

/** The payouts dashboard, one transfer's actions, bulk release, the hold policy and the co-op balances. */
export function payoutsAdminRoutes(payouts: Pick<Payouts, 'transfers' | 'startBulkRelease'>): Router {
  const router = Router();

  async function coopOptions() {
    return coopNames();
  }

  router.get('/admin/payouts', async (req, res) => {
    const parsed = PayoutsQuery.safeParse(req.query);
    const filter = parsed.success ? parsed.data : PayoutsQuery.parse({});
    const state = (SHARE_MONEY_STATES as readonly string[]).includes(filter.state) ? (filter.state as ShareMoneyState) : '';
    const [data, coops, settings] = await Promise.all([
      listShareMoney({ coopId: filter.coop || undefined, state, from: dayStart(filter.from), to: dayAfter(filter.to) }),
      coopOptions(),
      getPayoutSettings(),
    ]);
    res.render('admin/payouts', {
      title: req.t('admin.payouts.title'),
      filter: { ...filter, state },
      states: SHARE_MONEY_STATES,
      coops,
      settings,
      ...data,
    });
  });

  async function renderTransfer(
    req: Request,
    res: Response,
    id: string,
    status = 200,
    errors: Record<string, string> = {},
    values: Record<string, string> = {},
  ) {
    const t = await getTransfer(id);
    if (!t) throw new AppError('transfer_not_found', 'No such transfer', 404);
    const coop = await findCoop(t.coop);
    const owed = await owedBy(String(t.coop));
    res.status(status).render('admin/transfer', {
      title: req.t('admin.transfer.title', { order: t.orderNumber }),
      tr: t,
      state: moneyState(t),
      coopName: coop?.name ?? '',
      owed,
      errors,
      values,
    });
  }

  router.get('/admin/payouts/t/:transferId', async (req, res) => {
    const { transferId } = parseParams(TransferIdParams, req.params);
    await renderTransfer(req, res, transferId);
  });

  // Release (held or waiting) and retry (failed) send the transfer (its amount fixed first, netting once), audited.
  for (const action of ['release', 'retry'] as const) {
    router.post(`/admin/payouts/t/:transferId/${action}`, async (req, res) => {
      const { transferId } = parseParams(TransferIdParams, req.params);
      if (!ConfirmBody.safeParse(req.body).success)
        return renderTransfer(req, res, transferId, 422, { [`${action}-confirm`]: 'admin.errors.confirm' });
      const before = snapshotOf(await getTransfer(transferId));
      if (action === 'retry' && before?.status !== 'failed')
        throw new AppError('transfer_not_failed', 'Only a failed transfer can be retried', 409);
      const after =
        action === 'release'
          ? await payouts.transfers.releaseTransfer(transferId, req.user!.email)
          : await payouts.transfers.retryTransfer(transferId, req.user!.email);
      await audit(req.user!.id, `transfer.${action}`, transferId, before, snapshotOf(after));
      const sent = after.status === 'sent';
      flash(req, sent ? 'success' : 'error', sent ? 'admin.transfer.released' : 'admin.transfer.notSent', {
        state: labeller(req.t)('admin.state', after.status),
      });
      res.redirect(303, `/admin/payouts/t/${transferId}`);
    });
  }

  router.post('/admin/payouts/t/:transferId/hold', async (req, res) => {
    const { transferId } = parseParams(TransferIdParams, req.params);
    const parsed = HoldBody.safeParse(req.body);
    if (!parsed.success) {
      const issues = new Set(parsed.error.issues.map((i) => String(i.path[0])));
      const errors: Record<string, string> = {};
      if (issues.has('reason')) errors.reason = 'admin.errors.reason';
      if (issues.has('confirm')) errors['hold-confirm'] = 'admin.errors.confirm';
      return renderTransfer(req, res, transferId, 422, errors, { reason: String((req.body as Record<string, unknown>).reason ?? '') });
    }
    const before = snapshotOf(await getTransfer(transferId));
    const after = await holdTransfer(transferId, parsed.data.reason, req.user!.email);
    await audit(req.user!.id, 'transfer.hold', transferId, before, snapshotOf(after));
    flash(req, 'success', 'admin.transfer.held');
    res.redirect(303, `/admin/payouts/t/${transferId}`);
  });

  router.post('/admin/payouts/bulk', async (req, res) => {
    const parsed = BulkBody.safeParse(req.body);
    if (!parsed.success) {
      flash(req, 'error', parsed.error.issues.some((i) => i.path[0] === 'confirm') ? 'admin.errors.confirm' : 'admin.bulk.none');
      return res.redirect(303, '/admin/payouts?state=held');
    }
    const id = await payouts.startBulkRelease(req.user!.id, parsed.data.ids);
    res.redirect(303, `/admin/payouts/bulk/${id}`);
  });

  router.get('/admin/payouts/bulk/:jobId', async (req, res) => {
    const { jobId } = parseParams(JobIdParams, req.params);
    const job = await getBulkJob(jobId);
    const done = job.items.filter((i) => i.state !== 'queued').length;
    const running = job.status === 'running';
    res.render('admin/bulk', {
      title: req.t('admin.bulk.title'),
      job,
      done,
      running,
      // The page refreshes itself while the job runs: progress without JavaScript.
      head: running ? '<meta http-equiv="refresh" content="2">' : '',
    });
  });

  async function renderSettings(req: Request, res: Response, status = 200, errors: Record<string, string> = {}) {
    res.status(status).render('admin/settings', {
      title: req.t('admin.settings.title'),
      settings: await getPayoutSettings(),
      policies: HOLD_POLICIES,
      errors,
    });
  }
  router.get('/admin/payouts/settings', (req, res) => renderSettings(req, res));
  router.post('/admin/payouts/settings', async (req, res) => {
    const parsed = SettingsBody.safeParse(req.body);
    if (!parsed.success) {
      const errors: Record<string, string> = {};
      for (const i of parsed.error.issues)
        errors[String(i.path[0]) === 'confirm' ? 'settings-confirm' : String(i.path[0])] =
          String(i.path[0]) === 'confirm' ? 'admin.errors.confirm' : 'admin.settings.invalid';
      return renderSettings(req, res, 422, errors);
    }
    const before = await getPayoutSettings();
    const after = await setPayoutSettings({ holdPolicy: parsed.data.holdPolicy, holdDays: parsed.data.holdDays }, req.user!.id);
    await audit(req.user!.id, 'payouts.settings', 'payout_settings', before, after);
    flash(req, 'success', 'admin.settings.saved');
    res.redirect(303, '/admin/payouts/settings');
  });

  router.get('/admin/balances', async (req, res) => {
    const coops = await coopOptions();
    const rows = [];
    for (const c of coops) rows.push({ ...c, ...(await coopBalance(c.id)) });
    res.render('admin/balances', { title: req.t('admin.balances.title'), rows });
  });

  router.get('/admin/balances/:coopId', async (req, res) => {
    const { coopId } = parseParams(CoopIdParams, req.params);
    const coop = await findCoop(coopId);
    if (!coop) throw new AppError('coop_not_found', 'No such co-op', 404);
    const [balance, shares] = await Promise.all([coopBalance(coopId), listShareMoney({ coopId }, 100)]);
    res.render('admin/balance', {
      title: req.t('admin.balances.of', { name: coop.name }),
      coop: { id: coopId, name: coop.name },
      balance,
      rows: shares.rows,
    });
  });

  return router;
}
