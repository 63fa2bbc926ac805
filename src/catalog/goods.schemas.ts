import { z } from 'zod';
import { parseMoney } from '../platform/money';
import { CATEGORY_SLUGS, CERTIFICATIONS, IVA_RATES, UNIT_CODES } from './categories';

/**
 * The goods form a co-op member fills in (in the workspace), as the
 * catalogue takes it: `createGoods` and `updateGoods` accept a `GoodsInput`.
 * Messages are locale keys of the workspace's form.
 */

/** A form field sent once is a string, sent several times an array: always an array here. */
const many = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

const line = (max: number) => z.string().trim().max(max, 'workspace.errors.tooLong').default('');

// The body parser takes at most 200 fields: 15 variants (plus 3 blank rows) of 8 fields leave room for the rest.
export const MAX_VARIANTS = 15;

/**
 * The goods form. Variants come as parallel lists (`vSku`, `vPrice`, …),
 * one entry per row of the form; a row with no SKU and no price is an
 * unused blank row. `vStockSeen` is the stock the form showed, so saving
 * applies only the difference (see goods.service.ts, setStock).
 */
export const GoodsSchema = z
  .object({
    nameIt: line(140).pipe(z.string().min(2, 'workspace.errors.required')),
    nameEn: line(140),
    descriptionIt: line(5000),
    descriptionEn: line(5000),
    category: z.enum(CATEGORY_SLUGS, 'workspace.errors.choose'),
    unit: z.enum(UNIT_CODES, 'workspace.errors.choose'),
    ivaRate: z.coerce.number().pipe(
      z.union(
        IVA_RATES.map((r) => z.literal(r)),
        'workspace.errors.choose',
      ),
    ),
    tags: line(300),
    certifications: many.pipe(z.array(z.enum(CERTIFICATIONS, 'workspace.errors.choose'))),
    seasonMonths: many.pipe(
      z.array(
        z
          .string()
          .regex(/^([1-9]|1[0-2])$/)
          .transform(Number),
      ),
    ),
    lot: line(60),
    tracedOn: z
      .string()
      .trim()
      .regex(/^(\d{4}-\d{2}-\d{2})?$/, 'workspace.errors.date')
      .default(''),
    place: line(120),
    materialsIt: line(500),
    materialsEn: line(500),
    careIt: line(1000),
    careEn: line(1000),
    published: z.literal('on').optional(),
    vSku: many,
    vLabelIt: many,
    vLabelEn: many,
    vSize: many,
    vColour: many,
    vPrice: many,
    vStock: many,
    vStockSeen: many,
  })
  .transform((f, ctx) => {
    const variants: {
      sku: string;
      labelIt: string;
      labelEn: string;
      size: string;
      colour: string;
      priceCents: number;
      stock: number;
      stockSeen: number | null;
    }[] = [];
    const seen = new Set<string>();
    f.vSku.forEach((rawSku, i) => {
      const sku = rawSku.trim();
      const price = (f.vPrice[i] ?? '').trim();
      if (!sku && !price) return;
      const at = (field: string) => [`${field}.${i}`];
      if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/.test(sku))
        ctx.addIssue({ code: 'custom', path: at('vSku'), message: 'workspace.errors.sku' });
      else if (seen.has(sku)) ctx.addIssue({ code: 'custom', path: at('vSku'), message: 'workspace.errors.skuTwice' });
      seen.add(sku);
      const priceCents = parseMoney(price);
      if (!priceCents) ctx.addIssue({ code: 'custom', path: at('vPrice'), message: 'workspace.errors.price' });
      const stockRaw = (f.vStock[i] ?? '').trim() || '0';
      if (!/^\d{1,6}$/.test(stockRaw)) ctx.addIssue({ code: 'custom', path: at('vStock'), message: 'workspace.errors.wholeNumber' });
      const seenRaw = (f.vStockSeen[i] ?? '').trim();
      variants.push({
        sku,
        labelIt: (f.vLabelIt[i] ?? '').trim().slice(0, 80),
        labelEn: (f.vLabelEn[i] ?? '').trim().slice(0, 80),
        size: (f.vSize[i] ?? '').trim().slice(0, 20),
        colour: (f.vColour[i] ?? '').trim().slice(0, 40),
        priceCents: priceCents ?? 0,
        stock: Number(stockRaw) || 0,
        stockSeen: /^\d{1,6}$/.test(seenRaw) ? Number(seenRaw) : null,
      });
    });
    if (!variants.length) ctx.addIssue({ code: 'custom', path: ['vSku.0'], message: 'workspace.errors.oneVariant' });
    if (variants.length > MAX_VARIANTS) ctx.addIssue({ code: 'custom', path: ['vSku.0'], message: 'workspace.errors.tooManyVariants' });
    const { vSku: _a, vLabelIt: _b, vLabelEn: _c, vSize: _d, vColour: _e, vPrice: _f, vStock: _g, vStockSeen: _h, ...rest } = f;
    return {
      ...rest,
      published: f.published === 'on',
      tags: [
        ...new Set(
          f.tags
            .split(',')
            .map((s) => s.trim().toLowerCase())
            .filter(Boolean),
        ),
      ].slice(0, 20),
      seasonMonths: [...new Set(f.seasonMonths)].sort((a, b) => a - b),
      certifications: [...new Set(f.certifications)],
      variants,
    };
  });
export type GoodsInput = z.output<typeof GoodsSchema>;

export const ImageAltSchema = z.object({ altIt: line(200), altEn: line(200) });
