import { z } from 'zod';
import { notFound } from '../platform/errors';

const objectId = z.string().regex(/^[a-f\d]{24}$/i);
const dateInput = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/);
/** A filter field a form may leave empty: the value, or '' when absent or blank. */
const orEmpty = <T extends z.ZodType<string>>(schema: T) =>
  z
    .union([schema, z.literal('')])
    .optional()
    .default('');

export const CoopIdParams = z.object({ coopId: objectId });

export const RejectBody = z.object({
  reason: z.string().trim().min(3).max(1000),
});

export const ConfirmBody = z.object({
  confirm: z.literal('yes'),
});

/** A commission rate: a percentage with up to two decimals, from a date on. Empty coop = the platform default. */
export const CommissionBody = z.object({
  coop: z.union([objectId, z.literal('')]).default(''),
  percent: z
    .string()
    .trim()
    .regex(/^\d{1,2}([.,]\d{1,2})?$/)
    .transform((s) => Math.round(Number(s.replace(',', '.')) * 100))
    .pipe(z.number().int().min(0).max(5000)),
  effectiveFrom: dateInput,
  note: z.string().trim().max(200).default(''),
  confirm: z.literal('yes'),
});

export const AuditQuery = z.object({
  actor: z.string().trim().max(200).optional().default(''),
  action: z.string().trim().max(100).optional().default(''),
  from: orEmpty(dateInput),
  to: orEmpty(dateInput),
  page: z.coerce.number().int().min(1).max(10_000).optional().default(1),
});
export type AuditFilter = z.infer<typeof AuditQuery>;

/** Route params that do not match are a missing page, not a server error. */
export function parseParams<T extends z.ZodTypeAny>(schema: T, params: unknown): z.infer<T> {
  const r = schema.safeParse(params);
  if (!r.success) throw notFound('page_not_found', 'No such page');
  return r.data;
}

export const TransferIdParams = z.object({ transferId: z.string().regex(/^transfer:[a-f\d]{24}:[a-f\d]{24}$/) });
export const JobIdParams = z.object({ jobId: z.string().uuid() });

export const PayoutsQuery = z.object({
  coop: orEmpty(objectId),
  state: z.string().max(30).optional().default(''),
  from: orEmpty(dateInput),
  to: orEmpty(dateInput),
});

export const HoldBody = z.object({ reason: z.string().trim().min(3).max(300), confirm: z.literal('yes') });

export const BulkBody = z.object({
  ids: z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .pipe(
      z
        .array(z.string().regex(/^transfer:[a-f\d]{24}:[a-f\d]{24}$/))
        .min(1)
        .max(150),
    ),
  confirm: z.literal('yes'),
});

export const SettingsBody = z.object({
  holdPolicy: z.enum(['immediate', 'on_shipped', 'on_delivered_or_days']),
  holdDays: z.coerce.number().int().min(0).max(90),
  confirm: z.literal('yes'),
});

/** "YYYY-MM-DD" → the start of that day (UTC); the `to` date is inclusive, so its next day. */
export const dayStart = (s: string) => (s ? new Date(`${s}T00:00:00Z`) : undefined);
export const dayAfter = (s: string) => (s ? new Date(new Date(`${s}T00:00:00Z`).getTime() + 86_400_000) : undefined);

export const OrderIdParams = z.object({ orderId: objectId });

const RefundBase = z.object({
  mode: z.enum(['lines', 'amounts']),
  requestId: z.string().uuid(),
  reason: z.string().trim().min(3).max(500),
  returnStock: z.literal('yes').optional(),
  confirm: z.literal('yes'),
});

/**
 * Reads the refund form: `qty_<lineIndex>` per line and `shipping_<coopId>`
 * per co-op's shipping, or `amount_<coopId>` per co-op (euro as typed,
 * "12,50"), plus the reason and the confirmation.
 * Returns the request, or a message key per field.
 */
export function parseRefundForm(
  body: Record<string, unknown>,
  shape: { lines: { index: number }[]; coops: { coopId: string }[] },
  parseMoney: (s: string) => number | null,
):
  | {
      ok: true;
      value: {
        mode: 'lines' | 'amounts';
        requestId: string;
        reason: string;
        returnStock: boolean;
        lines: { index: number; quantity: number }[];
        amounts: { coopId: string; cents: number }[];
        shipping: { coopId: string; cents: number }[];
      };
    }
  | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const base = RefundBase.safeParse(body);
  if (!base.success) {
    for (const i of base.error.issues) {
      const f = String(i.path[0]);
      errors[f === 'confirm' ? 'refund-confirm' : f] =
        f === 'reason'
          ? 'admin.refund.errors.reason'
          : f === 'confirm'
            ? 'admin.refund.errors.confirm'
            : 'admin.refund.errors.refund_empty';
    }
  }
  const mode = body.mode === 'amounts' ? 'amounts' : 'lines';
  const lines: { index: number; quantity: number }[] = [];
  const amounts: { coopId: string; cents: number }[] = [];
  const shipping: { coopId: string; cents: number }[] = [];
  const money = (field: string, coopId: string, into: { coopId: string; cents: number }[]) => {
    const raw = String(body[field] ?? '').trim();
    if (!raw) return;
    const cents = parseMoney(raw);
    if (cents === null) errors[field] = 'admin.refund.errors.amount';
    else if (cents > 0) into.push({ coopId, cents });
  };
  if (mode === 'lines') {
    for (const l of shape.lines) {
      const raw = String(body[`qty_${l.index}`] ?? '').trim();
      if (!raw) continue;
      if (!/^\d{1,4}$/.test(raw)) errors[`qty_${l.index}`] = 'admin.refund.errors.qty';
      else if (Number(raw) > 0) lines.push({ index: l.index, quantity: Number(raw) });
    }
    for (const c of shape.coops) money(`shipping_${c.coopId}`, c.coopId, shipping);
  } else {
    for (const c of shape.coops) money(`amount_${c.coopId}`, c.coopId, amounts);
  }
  if (Object.keys(errors).length || !base.success) return { ok: false, errors };
  return {
    ok: true,
    value: {
      mode,
      requestId: base.data.requestId,
      reason: base.data.reason,
      returnStock: base.data.returnStock === 'yes',
      lines,
      amounts,
      shipping,
    },
  };
}

export const LedgerQuery = z.object({
  coop: orEmpty(objectId),
  order: orEmpty(objectId),
  kind: z.string().max(20).optional().default(''),
  from: orEmpty(dateInput),
  to: orEmpty(dateInput),
});

export const RetryRefundBody = z.object({ refundId: z.string().regex(/^refund:[a-f\d]{24}:[\w-]{36}$/), confirm: z.literal('yes') });
