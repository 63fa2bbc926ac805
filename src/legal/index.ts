/**
 * What other features may use from legal: the platform's company data (the
 * footer, the legal pages, order pages and receipts show it), the terms
 * version a buyer accepts at checkout, and the legal pages. It sits just
 * above coops, so the "who sells" and shipping pages can list the co-ops,
 * and below catalog, cart and orders, which all show who sells.
 */
import type { RequestHandler } from 'express';
import type { Legal } from './legal.service';

export { createLegal, legalJobs, DEFAULT_COMPANY, TERMS_TEXT_DATE, COMPANY_REFRESH_MS, type Company, type Legal } from './legal.service';
export { CompanyBody, type CompanyInput } from './legal.schemas';
export { legalRoutes, renderLegalPage, LEGAL_PAGES, type LegalPage, type LegalRoutesDeps } from './legal.routes';

/**
 * Puts the company data in every view (the footer shows it). A failed read
 * leaves it out rather than failing the page: the footer then shows none.
 */
export function companyLocals(legal: Legal): RequestHandler {
  return (_req, res, next) => {
    legal.company().then(
      (company) => {
        res.locals.company = company;
        next();
      },
      () => next(),
    );
  };
}
