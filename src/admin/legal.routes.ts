import { Router, type Request, type Response } from 'express';
import { CompanyBody, type Company, type Legal } from '../legal';
import { CoopLegalSchema, getCoopRow, setCoopLegal } from '../coops';
import { catalogChanged } from '../catalog';
import { audit } from '../platform/audit';
import { fieldErrors } from '../platform/forms';
import { flash } from '../platform/web';
import { CoopIdParams, parseParams } from './admin.schemas';

/** The company form's fields, as the form names them, from the data in force. */
function formValues(c: Company): Record<string, string> {
  return {
    legalName: c.legalName,
    legalForm: c.legalForm,
    vatNumber: c.vatNumber,
    taxCode: c.taxCode,
    rea: c.rea,
    seat: c.seat,
    pec: c.pec,
    email: c.email,
    phone: c.phone,
    complaintsEmail: c.complaintsEmail,
    hoursIt: c.hours.it,
    hoursEn: c.hours.en,
    deliveryTimesIt: c.deliveryTimes.it,
    deliveryTimesEn: c.deliveryTimes.en,
  };
}

const asText = (body: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries((body ?? {}) as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? v : '']));

/**
 * The platform's company data (/admin/legal) and a co-op's legal identity
 * (on the admin's co-op page; co-ops have no settings page of their own
 * yet). Both are audited; a change of the company data moves the terms
 * version on, so later orders record that buyers accepted the new one.
 */
export function legalAdminRoutes(legal: Legal): Router {
  const router = Router();

  async function renderCompany(
    req: Request,
    res: Response,
    status = 200,
    errors: Record<string, string> = {},
    values?: Record<string, string>,
  ) {
    const company = await legal.company();
    res.status(status).render('admin/legal', {
      title: req.t('admin.legal.title'),
      company,
      values: values ?? formValues(company),
      errors,
    });
  }

  router.get('/admin/legal', (req, res) => renderCompany(req, res));
  router.post('/admin/legal', async (req, res) => {
    const parsed = CompanyBody.safeParse(req.body);
    if (!parsed.success) {
      const errors = fieldErrors(parsed.error, 'legal.errors');
      // The confirmation box shares the admin pages' own id and message.
      if (errors.confirm) {
        delete errors.confirm;
        errors['legal-confirm'] = 'admin.errors.confirm';
      }
      return renderCompany(req, res, 422, errors, asText(req.body));
    }
    const { before, after } = await legal.saveCompany(parsed.data, req.user!.id);
    await audit(req.user!.id, 'legal.company', 'legal:company', before, after);
    flash(req, 'success', 'admin.legal.saved', { version: after.termsVersion });
    res.redirect(303, '/admin/legal');
  });

  router.post('/admin/coops/:coopId/legal', async (req, res) => {
    const { coopId } = parseParams(CoopIdParams, req.params);
    const parsed = CoopLegalSchema.safeParse(req.body);
    if (!parsed.success) {
      const coop = await getCoopRow(coopId);
      return res.status(422).render('admin/coop', {
        title: coop.name,
        coop,
        errors: fieldErrors(parsed.error, { fallback: 'workspace.errors.required' }),
        values: asText(req.body),
      });
    }
    const { before, after } = await setCoopLegal(coopId, parsed.data);
    await audit(req.user!.id, 'coop.legal', `coop:${coopId}`, before, after);
    // The shop's pages show who sells: they read the co-op again.
    await catalogChanged();
    flash(req, 'success', 'admin.coops.legalSaved');
    res.redirect(303, `/admin/coops/${coopId}`);
  });

  return router;
}
