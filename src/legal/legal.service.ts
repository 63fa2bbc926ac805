import { COMPANY_ID, CompanyModel, type CompanyDoc, type CompanyFields } from './company.model';
import type { Job } from '../platform/jobs';
import type { CompanyInput } from './legal.schemas';

/**
 * The date of the terms' own text (views/legal/<lang>/terms.ejs and
 * withdrawal.ejs). Bump it when that text changes: the terms version a
 * buyer accepts is this date and the company data's revision.
 */
export const TERMS_TEXT_DATE = '2026-12-01';

/** The company data as pages, mails and the checkout read it. */
export interface Company extends CompanyFields {
  /** What a buyer accepts at checkout: `<terms text date>.<revision>`; it changes whenever either does. */
  termsVersion: string;
  updatedAt?: Date;
}

/**
 * Until an admin saves the company data, the shop shows these (the demo
 * company: the P.IVA has a valid check digit, the rest is plainly made up).
 */
export const DEFAULT_COMPANY: CompanyFields = {
  legalName: 'Filiera S.r.l. Impresa Sociale',
  legalForm: 'Società a responsabilità limitata (impresa sociale)',
  vatNumber: 'IT09123450125',
  taxCode: '09123450125',
  rea: 'MI-2712345',
  seat: 'Via Paolo Sarpi 12, 20154 Milano (MI), Italia',
  pec: 'filiera@pec.filiera.example',
  email: 'assistenza@filiera.example',
  phone: '+39 02 1234 5678',
  complaintsEmail: 'reclami@filiera.example',
  hours: { it: 'dal lunedì al venerdì, 9–13 e 14–18', en: 'Monday to Friday, 9 am–1 pm and 2 pm–6 pm' },
  deliveryTimes: {
    it: 'Ogni cooperativa spedisce entro 3 giorni lavorativi dal pagamento; il corriere consegna in 1–3 giorni lavorativi in Italia e in 3–7 nel resto dell’Unione europea.',
    en: 'Each co-op ships within 3 working days of payment; the courier delivers in 1–3 working days in Italy and 3–7 in the rest of the European Union.',
  },
  revision: 1,
};

const termsVersionOf = (revision: number) => `${TERMS_TEXT_DATE}.${revision}`;

function toCompany(doc: Partial<CompanyDoc> | null): Company {
  const { _id, updatedBy, ...fields } = { ...DEFAULT_COMPANY, ...(doc ?? {}) };
  return { ...fields, termsVersion: termsVersionOf(fields.revision) };
}

/** How often each process reads the company data again (its `legalJobs`): another process's change shows within this. */
export const COMPANY_REFRESH_MS = 30_000;

/** The legal feature's service: the company data, kept in this process's memory, and its changes. */
export interface Legal {
  /** The company data in force (the defaults until an admin saves). */
  company(): Promise<Company>;
  /**
   * Saves the admin's form and moves the terms version on. Returns the
   * data before and after, for the audit log.
   */
  saveCompany(input: CompanyInput, actorId: string): Promise<{ before: Company; after: Company }>;
  /** Reads the company data again (the refresh job; a change made by another process). */
  reload(): Promise<Company>;
}

/**
 * Builds the service (createServices does, once per app). The footer of
 * every page shows the company, so pages never wait on the database for
 * it: it is read once, then kept in memory, replaced when this process
 * saves a change and re-read by `legalJobs` every COMPANY_REFRESH_MS.
 */
export function createLegal(): Legal {
  let current: Promise<Company> | null = null;

  const read = async () => toCompany(await CompanyModel.findById(COMPANY_ID).lean());

  function reload(): Promise<Company> {
    const next = read();
    // A failed read keeps what was there; with nothing there, the next page asks again.
    next.then(
      () => (current = next),
      () => undefined,
    );
    return next;
  }

  function company(): Promise<Company> {
    if (!current) {
      current = read();
      current.catch(() => (current = null));
    }
    return current;
  }

  async function saveCompany(input: CompanyInput, actorId: string) {
    const before = await read();
    const fields = {
      legalName: input.legalName,
      legalForm: input.legalForm,
      vatNumber: input.vatNumber.replace(/\s/g, '').toUpperCase(),
      taxCode: input.taxCode.replace(/\s/g, '').toUpperCase(),
      rea: input.rea.toUpperCase(),
      seat: input.seat,
      pec: input.pec,
      email: input.email,
      phone: input.phone,
      complaintsEmail: input.complaintsEmail,
      hours: { it: input.hoursIt, en: input.hoursEn },
      deliveryTimes: { it: input.deliveryTimesIt, en: input.deliveryTimesEn },
    };
    // The fields and the next revision in one write (a missing document counts on from the defaults' revision).
    const saved = await CompanyModel.findOneAndUpdate(
      { _id: COMPANY_ID },
      { $set: { ...fields, revision: before.revision + 1, updatedBy: actorId, updatedAt: new Date() } },
      { upsert: true, returnDocument: 'after' },
    ).lean();
    const after = toCompany(saved);
    current = Promise.resolve(after);
    return { before, after };
  }

  return { company, saveCompany, reload };
}

/** The legal feature's periodic work (server.ts runs it): each process re-reads the company data. */
export function legalJobs(legal: Pick<Legal, 'reload'>): Job[] {
  return [{ name: 'legal-company-refresh', everyMs: COMPANY_REFRESH_MS, perProcess: true, run: () => legal.reload() }];
}
