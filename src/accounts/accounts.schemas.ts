import { z } from 'zod';
import { EU_COUNTRIES } from '../platform/countries';

/**
 * Forms post flat strings (urlencoded without nesting); JSON bodies could
 * carry objects, which these schemas refuse, so `{"email": {"$ne": null}}`
 * never reaches a query. Unknown keys (`role`, `isAdmin`, `coop`…) are dropped.
 */
const email = z.string().trim().toLowerCase().max(254).pipe(z.email());
const password = z.string().min(10).max(200);
const name = z.string().trim().min(1).max(100);

export const SignupBody = z.object({
  name,
  email,
  password,
  acceptTerms: z.literal('on', { error: 'required' }),
});
export type SignupInput = z.infer<typeof SignupBody>;

export const LoginBody = z.object({
  email: z.string().trim().toLowerCase().min(1).max(254),
  password: z.string().min(1).max(200),
  next: z.string().max(2000).optional(),
});

export const ForgotBody = z.object({ email });
export const ResetBody = z.object({ password });

export const ProfileBody = z.object({
  name,
  locale: z.enum(['it', 'en']),
});

export { EU_COUNTRIES };

export const AddressBody = z
  .object({
    name,
    line1: z.string().trim().min(1).max(120),
    line2: z.string().trim().max(120).default(''),
    postalCode: z.string().trim().toUpperCase().min(1).max(10),
    city: z.string().trim().min(1).max(80),
    province: z.string().trim().toUpperCase().max(40).default(''),
    country: z.enum(EU_COUNTRIES),
    phone: z
      .string()
      .trim()
      .max(30)
      .regex(/^[+\d][\d\s./-]*$|^$/, 'phone')
      .default(''),
  })
  .superRefine((a, ctx) => {
    // Italian addresses: a five-digit CAP and the two-letter province (sigla).
    if (a.country === 'IT') {
      if (!/^\d{5}$/.test(a.postalCode)) ctx.addIssue({ code: 'custom', path: ['postalCode'], message: 'cap' });
      if (!/^[A-Z]{2}$/.test(a.province)) ctx.addIssue({ code: 'custom', path: ['province'], message: 'province' });
    } else if (!/^[A-Z0-9][A-Z0-9 -]{1,9}$/.test(a.postalCode)) {
      ctx.addIssue({ code: 'custom', path: ['postalCode'], message: 'postalCode' });
    }
  });
export type AddressInput = z.infer<typeof AddressBody>;

export const DeleteAccountBody = z.object({ password: z.string().min(1).max(200), confirm: z.literal('on', { error: 'required' }) });

export const ObjectIdParam = z.string().regex(/^[a-f\d]{24}$/i);
