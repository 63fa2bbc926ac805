import { z } from 'zod';
import { EU_COUNTRIES } from '../platform/countries';

/** The Italian provinces and metropolitan cities (sigle automobilistiche), including SU and the historic ones still in use. */
export const IT_PROVINCES = new Set(
  (
    'AG AL AN AO AP AQ AR AT AV BA BG BI BL BN BO BR BS BT BZ CA CB CE CH CL CN CO CR CS CT CZ EN FC FE FG FI FM FR GE GO GR ' +
    'IM IS KR LC LE LI LO LT LU MB MC ME MI MN MO MS MT NA NO NU OR PA PC PD PE PG PI PN PO PR PT PU PV PZ RA RC RE RG RI RM ' +
    'RN RO SA SI SO SP SR SS SU SV TA TE TN TO TP TR TS TV UD VA VB VC VE VI VR VT VV CI OG OT VS'
  ).split(' '),
);

const line = (max: number) => z.string().trim().min(1).max(max);

/**
 * The checkout form. Forms post flat strings; anything else (arrays,
 * objects from JSON) fails here. Delivery per co-op arrives as
 * `delivery_<coopId>` = ship | pickup and is read separately.
 */
export const CheckoutBody = z
  .object({
    email: z.string().trim().toLowerCase().max(254).pipe(z.email()).optional(),
    // "" is the "new address" choice of the saved-address radios.
    addressId: z.union([z.literal('').transform(() => undefined), z.string().regex(/^[a-f\d]{24}$/i)]).optional(),
    name: line(100).optional(),
    line1: line(120).optional(),
    line2: z.string().trim().max(120).default(''),
    postalCode: z.string().trim().toUpperCase().max(10).default(''),
    city: z.string().trim().max(80).default(''),
    province: z.string().trim().toUpperCase().max(40).default(''),
    country: z.enum(EU_COUNTRIES).default('IT'),
    phone: z
      .string()
      .trim()
      .max(30)
      .regex(/^[+\d][\d\s./-]*$|^$/)
      .default(''),
  })
  .superRefine((a, ctx) => {
    if (a.addressId) return;
    if (!a.name) ctx.addIssue({ code: 'custom', path: ['name'], message: 'required' });
    if (!a.line1) ctx.addIssue({ code: 'custom', path: ['line1'], message: 'required' });
    if (!a.city) ctx.addIssue({ code: 'custom', path: ['city'], message: 'required' });
    if (a.country === 'IT') {
      // Italian addresses: a five-digit CAP and a real province.
      if (!/^\d{5}$/.test(a.postalCode)) ctx.addIssue({ code: 'custom', path: ['postalCode'], message: 'cap' });
      if (!IT_PROVINCES.has(a.province)) ctx.addIssue({ code: 'custom', path: ['province'], message: 'province' });
    } else if (!/^[A-Z0-9][A-Z0-9 -]{1,9}$/.test(a.postalCode)) {
      ctx.addIssue({ code: 'custom', path: ['postalCode'], message: 'postalCode' });
    }
  });
export type CheckoutInput = z.infer<typeof CheckoutBody>;

/**
 * The "I accept the terms" box of the same form, checked on its own so that
 * a missing tick and a wrong address are reported together.
 */
export const TermsBody = z.object({ terms: z.literal('yes') });

/** The review page's "pay" button carries the attempt key of this checkout. */
export const PlaceBody = z.object({ attempt: z.string().regex(/^[A-Za-z0-9_-]{22,64}$/) });

export const ObjectIdString = z.string().regex(/^[a-f\d]{24}$/i);
export const ViewToken = z.string().regex(/^[A-Za-z0-9_-]{43}$/);
