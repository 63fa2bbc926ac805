import { Router, type Request, type Response } from 'express';
import { approvedCoops } from '../coops';
import type { Config } from '../platform/config';
import { SESSION_COOKIE, sessionCookieName, sessionVersionCookieName } from '../platform/security';
import { notFound } from '../platform/errors';
import type { Legal } from './legal.service';

/** The legal pages, in the order their navigation lists them. */
export const LEGAL_PAGES = ['company', 'terms', 'withdrawal', 'shipping', 'privacy', 'cookies'] as const;
export type LegalPage = (typeof LEGAL_PAGES)[number];

const isLegalPage = (v: string): v is LegalPage => (LEGAL_PAGES as readonly string[]).includes(v);

/** The co-ops as the "who sells" and shipping pages show them: legal identity and shipping rules. */
async function sellers() {
  const coops = await approvedCoops();
  return coops
    .map((c) => ({
      name: c.name,
      slug: c.slug,
      legalName: c.legalName || c.name,
      vatNumber: c.vatNumber ?? '',
      seat: c.seat ?? '',
      email: c.contact?.email ?? '',
      town: c.town,
      region: c.region,
      flatCents: c.shipping?.flatCents ?? 0,
      freeOverCents: c.shipping?.freeOverCents ?? 0,
      pickup: !!c.shipping?.pickup,
    }))
    .sort((a, b) => a.name.localeCompare(b.name, 'it'));
}

/** The cookies this app sets, exactly as it sets them (the cookie page lists them). */
function cookiesOf(config: Pick<Config, 'isProduction' | 'session'>) {
  return [
    {
      name: sessionCookieName(config.isProduction),
      purpose: 'session',
      minutes: config.session.idleMinutes,
      hours: config.session.absoluteHours,
    },
    { name: sessionVersionCookieName(config.isProduction), purpose: 'sessionVersion', minutes: config.session.idleMinutes },
    { name: 'lang', purpose: 'lang', days: 365 },
  ];
}

export interface LegalRoutesDeps {
  legal: Legal;
  config: Pick<Config, 'isProduction' | 'session'>;
}

/**
 * Renders one legal page: the shared frame (views/legal/page.ejs) with the
 * page's text in the visitor's language (views/legal/<lang>/<page>.ejs),
 * filled in with the company data. `extra` carries a form's values and
 * errors (the withdrawal form is answered by orders, which owns orders).
 */
export async function renderLegalPage(
  req: Request,
  res: Response,
  deps: LegalRoutesDeps,
  page: LegalPage,
  extra: { values?: Record<string, unknown>; errors?: Record<string, string> } = {},
  status = 200,
): Promise<void> {
  const company = await deps.legal.company();
  const coops = page === 'company' || page === 'shipping' ? await sellers() : [];
  res.status(status).render('legal/page', {
    title: req.t(`legal.pages.${page}`),
    page,
    pages: LEGAL_PAGES,
    company,
    coops,
    cookies: page === 'cookies' ? cookiesOf(deps.config) : [],
    sessionCookie: SESSION_COOKIE,
    values: extra.values ?? { email: req.user?.email ?? '' },
    errors: extra.errors ?? {},
  });
}

/** GET /legal/<page> for every legal page, and the printable model withdrawal form. */
export function legalRoutes(deps: LegalRoutesDeps): Router {
  const router = Router();
  router.get('/legal', (_req, res) => res.redirect(301, '/legal/company'));
  router.get('/legal/withdrawal/model-form', async (req, res) => {
    res.render('legal/model-form', { title: req.t('legal.modelForm.title'), company: await deps.legal.company() });
  });
  router.get('/legal/:page', async (req, res) => {
    const page = req.params.page;
    if (!isLegalPage(page)) throw notFound('page_not_found', 'No such page');
    await renderLegalPage(req, res, deps, page);
  });
  return router;
}
