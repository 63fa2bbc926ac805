import { z } from 'zod';
import { parseMoney } from '../platform/money';
import { normaliseCode } from './pricing';
import { SCOPES, VALUE_KINDS } from './promotion.model';

const objectId = z.string().regex(/^[a-f\d]{24}$/i);
const optionalId = z
  .union([objectId, z.literal('')])
  .optional()
  .default('');
const money = z
  .string()
  .trim()
  .transform((s, ctx) => {
    if (s === '') return 0;
    const c = parseMoney(s);
    if (c === null) {
      ctx.addIssue({ code: 'custom', message: 'invalid' });
      return z.NEVER;
    }
    return c;
  });
const dateOrEmpty = z
  .string()
  .trim()
  .regex(/^(\d{4}-\d{2}-\d{2})?$/)
  .optional()
  .default('');
const count = z
  .string()
  .trim()
  .regex(/^\d{0,6}$/)
  .optional()
  .default('')
  .transform((s) => (s === '' ? 0 : Number(s)));
const box = z
  .union([z.literal('yes'), z.literal('')])
  .optional()
  .transform((v) => v === 'yes');

/** What a buyer types into the cart's code box: the code's text, nothing else. */
export const CodeBody = z.object({
  code: z
    .string()
    .max(40)
    .transform(normaliseCode)
    .pipe(z.string().regex(/^[A-Z0-9_-]{3,24}$/)),
});

/**
 * The form that makes a promotion (the admin's and a co-op manager's; who
 * funds it is never a field: it follows from who makes it).
 */
export const PromotionBody = z
  .object({
    type: z.enum(['code', 'automatic']),
    code: z.string().max(40).optional().default('').transform(normaliseCode),
    name: z.string().trim().min(2).max(80),
    scope: z.enum(SCOPES),
    department: z
      .union([z.enum(['produce', 'craft']), z.literal('')])
      .optional()
      .default(''),
    scopeCoop: optionalId,
    // Checkboxes (one value or several) or ids typed with spaces or commas between them.
    products: z.preprocess(
      (v) => (v === undefined || v === '' ? [] : typeof v === 'string' ? v.split(/[\s,]+/).filter(Boolean) : v),
      z.array(objectId).max(50),
    ),
    valueKind: z.enum(VALUE_KINDS),
    percent: z
      .string()
      .trim()
      .regex(/^(\d{1,3}([.,]\d{1,2})?)?$/)
      .optional()
      .default('')
      .transform((s) => (s === '' ? 0 : Math.round(Number(s.replace(',', '.')) * 100))),
    amount: money.optional().default(0),
    shippingCoop: optionalId,
    minBasket: money.optional().default(0),
    startsAt: dateOrEmpty,
    endsAt: dateOrEmpty,
    maxUses: count,
    perCustomer: count,
    firstOrderOnly: box,
    stackable: box,
  })
  .superRefine((v, ctx) => {
    const issue = (path: string) => ctx.addIssue({ code: 'custom', path: [path], message: path });
    if (v.type === 'code' && !/^[A-Z0-9_-]{3,24}$/.test(v.code)) issue('code');
    if (v.scope === 'department' && !v.department) issue('department');
    if (v.scope === 'coop' && !v.scopeCoop) issue('scopeCoop');
    if (v.scope === 'products' && !v.products.length) issue('products');
    if (v.valueKind === 'percent' && (v.percent <= 0 || v.percent > 10_000)) issue('percent');
    if (v.valueKind === 'fixed' && v.amount <= 0) issue('amount');
    if (v.valueKind === 'free_shipping' && !v.shippingCoop) issue('shippingCoop');
    if (v.startsAt && v.endsAt && v.endsAt < v.startsAt) issue('endsAt');
  });
export type PromotionInput = z.infer<typeof PromotionBody>;

/** The admin's limits for co-op codes. */
export const LimitsBody = z.object({
  maxPercent: z
    .string()
    .trim()
    .regex(/^\d{1,3}([.,]\d{1,2})?$/)
    .transform((s) => Math.round(Number(s.replace(',', '.')) * 100))
    .pipe(z.number().int().min(0).max(10_000)),
  maxFixed: money.pipe(z.number().int().min(0).max(1_000_000)),
  maxUses: z
    .string()
    .trim()
    .regex(/^\d{1,6}$/)
    .transform(Number),
});

export const PromotionIdParam = objectId;
