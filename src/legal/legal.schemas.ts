import { z } from 'zod';
import { isItalianTaxId } from '../coops';

const line = (max: number) => z.string().trim().max(max, 'legal.errors.tooLong');
const required = (max: number) => line(max).min(1, 'legal.errors.required');
const email = z.string().trim().max(200).pipe(z.email('legal.errors.email'));

/** The admin's company form. Field names match the form's inputs. */
export const CompanyBody = z.object({
  legalName: required(200),
  legalForm: required(120),
  vatNumber: required(20).refine((v) => /^(IT)?\s*\d{11}$/i.test(v.replace(/\s/g, '')) && isItalianTaxId(v), 'legal.errors.vatNumber'),
  taxCode: required(20).refine(isItalianTaxId, 'legal.errors.taxCode'),
  rea: required(30).regex(/^[A-Z]{2}\s?-?\s?\d{1,7}$/i, 'legal.errors.rea'),
  seat: required(300),
  pec: email,
  email,
  phone: required(40).regex(/^[+\d][\d\s./-]*$/, 'legal.errors.phone'),
  complaintsEmail: email,
  hoursIt: line(300),
  hoursEn: line(300),
  deliveryTimesIt: line(600),
  deliveryTimesEn: line(600),
  confirm: z.literal('yes', 'legal.errors.confirm'),
});
export type CompanyInput = z.infer<typeof CompanyBody>;
