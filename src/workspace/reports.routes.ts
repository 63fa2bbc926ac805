import { Router } from 'express';
import { requireCoopRole } from '../coops';
import { moneyCsv, moneyReport } from './reports.service';
import type { WorkspaceDeps } from './workspace.routes';

/** Geometry of a server-rendered bar chart (the view draws it as SVG). */
export function barChart(points: { label: string; value: number }[], width = 640, height = 220) {
  const pad = { top: 10, bottom: 28, left: 8, right: 8 };
  const max = Math.max(1, ...points.map((p) => p.value));
  const slot = (width - pad.left - pad.right) / Math.max(1, points.length);
  const inner = height - pad.top - pad.bottom;
  return {
    width,
    height,
    bars: points.map((p, i) => {
      const h = Math.round((p.value / max) * inner);
      return { ...p, x: Math.round(pad.left + i * slot + slot * 0.15), w: Math.round(slot * 0.7), y: pad.top + inner - h, h, labelX: Math.round(pad.left + i * slot + slot / 2), labelY: height - 8 };
    }),
  };
}

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
