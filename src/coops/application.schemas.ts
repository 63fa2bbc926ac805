import { z } from 'zod';
import { COOP_KINDS, SOCIAL_TYPES } from './coop.model';
import { REGIONS } from './regions';

/**
 * An Italian partita IVA (11 digits, optional "IT" prefix) with its check
 * digit, or a 16-character codice fiscale. A co-op's codice fiscale is
 * usually its 11-digit partita IVA.
 */
export function isItalianTaxId(raw: string): boolean {
  const v = raw.replace(/\s/g, '').toUpperCase().replace(/^IT/, '');
  if (/^[A-Z]{6}\d{2}[A-Z]\d{2}[A-Z]\d{3}[A-Z]$/.test(v)) return true;
  if (!/^\d{11}$/.test(v)) return false;
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    let d = Number(v[i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10 === Number(v[10]);
}

const line = (max: number) => z.string().trim().max(max, 'workspace.errors.tooLong');
const required = (max: number) => line(max).min(1, 'workspace.errors.required');
const count = z
  .string()
  .trim()
  .regex(/^\d{0,7}$/, 'workspace.errors.wholeNumber')
  .transform((v) => (v === '' ? undefined : Number(v)));

/** The join form: what a co-op tells us to be listed. Field names match the form's inputs. */
export const ApplicationSchema = z.object({
  name: required(120).min(2, 'workspace.errors.required'),
  legalName: required(200),
  vatNumber: required(20).refine(isItalianTaxId, 'workspace.errors.vatNumber'),
  seat: required(300),
  kind: z.enum(COOP_KINDS, 'workspace.errors.choose'),
  socialType: z.enum(SOCIAL_TYPES, 'workspace.errors.choose'),
  region: z.enum(REGIONS, 'workspace.errors.choose'),
  town: required(80),
  storyIt: required(4000),
  storyEn: line(4000),
  members: count,
  integrationWorkers: count,
  trainingHours: count,
  supportsIt: line(600),
  supportsEn: line(600),
  email: z.string().trim().max(200).email('workspace.errors.email'),
  phone: line(40).regex(/^[+\d][\d\s./-]*$|^$/, 'workspace.errors.phone'),
  website: line(200).regex(/^(https?:\/\/\S+)?$/, 'workspace.errors.website'),
});
export type ApplicationInput = z.infer<typeof ApplicationSchema>;

/** A co-op's legal identity as the admin corrects it: what buyers see as "sold by". */
export const CoopLegalSchema = z.object({
  legalName: required(200),
  vatNumber: required(20).refine(isItalianTaxId, 'workspace.errors.vatNumber'),
  seat: required(300),
});
export type CoopLegalInput = z.infer<typeof CoopLegalSchema>;
