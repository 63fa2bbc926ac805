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

// The body parser takes at most 200 fields: 15 variants of 8 fields leave room for the rest.
export const MAX_VARIANTS = 15;

/**
 * What the member asked for with the button they pressed: keep a draft
 * (anything filled, only the name needed), put it on sale (everything
 * checked, a photo needed), or see one more empty variant block. A form
 * sent without `intent` (an older page) publishes when `published` is on.
 */
export const GOODS_INTENTS = ['draft', 'publish', 'addVariant'] as const;
export type GoodsIntent = (typeof GOODS_INTENTS)[number];
export function goodsIntent(body: Record<string, unknown>): GoodsIntent {
  const raw = body.intent;
  if (typeof raw === 'string' && (GOODS_INTENTS as readonly string[]).includes(raw)) return raw as GoodsIntent;
  return body.published === 'on' ? 'publish' : 'draft';
}

/**
 * The goods form. Variants come as parallel lists (`vSku`, `vPrice`, …),
 * one entry per block of the form; a block left empty is skipped. What is
 * filled must be well formed (a price we can read), but a draft needs
 * nothing else: the category, the price and the photo are asked for only
 * when publishing (`publishProblems`, and the service checks the photo).
 * An empty code (SKU) gets one made up ("default", then "v2", "v3"…).
 * `vStockSeen` is the stock the form showed, so saving applies only the
 * difference (see goods.service.ts, setStock).
 */
export const GoodsSchema = z
  .object({
    intent: z.enum(GOODS_INTENTS).optional(),
    nameIt: line(140).pipe(z.string().min(2, 'workspace.errors.name')),
    nameEn: line(140),
    descriptionIt: line(5000),
    descriptionEn: line(5000),
    category: z.union([z.literal(''), z.enum(CATEGORY_SLUGS, 'workspace.errors.choose')]).default(''),
    unit: z.union([z.literal('').transform(() => 'piece' as const), z.enum(UNIT_CODES, 'workspace.errors.choose')]).default('piece'),
    ivaRate: z
      .string()
      .default('10')
      .transform((v) => Number(v || '10'))
      .pipe(
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
      /** 0 while a draft has no price yet. */
      priceCents: number;
      stock: number;
      stockSeen: number | null;
      /** The block of the form it came from (blocks left empty are skipped), for messages. */
      row: number;
    }[] = [];
    const rows = Math.max(f.vSku.length, f.vPrice.length);
    const at = (field: string, i: number) => [`${field}.${i}`];
    const cell = (list: string[], i: number) => (list[i] ?? '').trim();
    const given = new Set(f.vSku.map((s) => s.trim()).filter(Boolean));
    const seen = new Set<string>();
    for (let i = 0; i < rows; i++) {
      const price = cell(f.vPrice, i);
      const stockRaw = cell(f.vStock, i);
      const filled = [f.vSku, f.vPrice, f.vLabelIt, f.vLabelEn, f.vSize, f.vColour].some((l) => cell(l, i));
      if (!filled && (!stockRaw || stockRaw === '0')) continue;
      let sku = cell(f.vSku, i);
      if (!sku) {
        // A code the member need not invent; never one another block already uses.
        let n = variants.length + 1;
        sku = n === 1 && !given.has('default') && !seen.has('default') ? 'default' : `v${n}`;
        while (given.has(sku) || seen.has(sku)) sku = `v${++n}`;
      }
      if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/.test(sku))
        ctx.addIssue({ code: 'custom', path: at('vSku', i), message: 'workspace.errors.sku' });
      else if (seen.has(sku)) ctx.addIssue({ code: 'custom', path: at('vSku', i), message: 'workspace.errors.skuTwice' });
      seen.add(sku);
      const priceCents = price ? parseMoney(price) : 0;
      if (priceCents === null) ctx.addIssue({ code: 'custom', path: at('vPrice', i), message: 'workspace.errors.price' });
      if (!/^\d{1,6}$/.test(stockRaw || '0'))
        ctx.addIssue({ code: 'custom', path: at('vStock', i), message: 'workspace.errors.wholeNumber' });
      const seenRaw = cell(f.vStockSeen, i);
      variants.push({
        sku,
        labelIt: cell(f.vLabelIt, i).slice(0, 80),
        labelEn: cell(f.vLabelEn, i).slice(0, 80),
        size: cell(f.vSize, i).slice(0, 20),
        colour: cell(f.vColour, i).slice(0, 40),
        priceCents: priceCents ?? 0,
        stock: Number(stockRaw || '0') || 0,
        stockSeen: /^\d{1,6}$/.test(seenRaw) ? Number(seenRaw) : null,
        row: i,
      });
    }
    if (variants.length > MAX_VARIANTS) ctx.addIssue({ code: 'custom', path: ['vSku.0'], message: 'workspace.errors.tooManyVariants' });
    const { vSku: _a, vLabelIt: _b, vLabelEn: _c, vSize: _d, vColour: _e, vPrice: _f, vStock: _g, vStockSeen: _h, intent: _i, ...rest } = f;
    return {
      ...rest,
      published: goodsIntent(f) === 'publish',
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

/**
 * What a product needs before it goes on sale, beyond a well-formed form:
 * a category and, for every variant, a price (the photo is checked where
 * the images are known, see goods.service.ts). Field → message key.
 */
export function publishProblems(input: GoodsInput): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!input.category) problems.category = 'workspace.errors.choose';
  if (!input.variants.length) problems['vPrice.0'] = 'workspace.errors.priceToPublish';
  for (const v of input.variants) if (!v.priceCents) problems[`vPrice.${v.row}`] = 'workspace.errors.priceToPublish';
  return problems;
}

export const ImageAltSchema = z.object({ altIt: line(200), altEn: line(200) });
