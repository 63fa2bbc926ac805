import { Router } from 'express';
import { requireCoopRole } from '../coops';
import { moneyCsv, moneyReport } from './reports.service';
import type { WorkspaceDeps } from './deps';
import { barChart } from '../platform/charts';

/** Money and reports, for managers and the owner. Mounted under /workspace/:coopSlug. */
export function reportsRoutes(_deps: WorkspaceDeps): Router {
  const router = Router({ mergeParams: true });
  const manager = requireCoopRole('manager');

  router.get('/money', manager, async (req, res) => {
    const report = await moneyReport(req.coop!.id);
    const monthName = new Intl.DateTimeFormat(req.locale === 'it' ? 'it-IT' : 'en-GB', { month: 'short', timeZone: 'UTC' });
    const months = report.months.map((m) => ({ ...m, label: monthName.format(new Date(`${m.month}-01T00:00:00Z`)) }));
    res.render('workspace/money', {
      title: req.t('workspace.money.title'),
      report: { ...report, months },
      chart: barChart(months.map((m) => ({ label: m.label, value: m.salesCents }))),
    });
  });

  router.get('/money.csv', manager, async (req, res) => {
    const report = await moneyReport(req.coop!.id);
    res.type('text/csv; charset=utf-8').attachment(`${req.coop!.slug}-money.csv`).send(moneyCsv(report.orders));
  });

  return router;
}
