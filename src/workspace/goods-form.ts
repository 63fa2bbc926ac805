import type { Request, Response } from 'express';
import { CATEGORY_SLUGS, CERTIFICATIONS, DEPARTMENTS, IVA_RATES, MAX_IMAGE_BYTES, MAX_VARIANTS, UNIT_CODES, goods } from '../catalog';

/** The goods form: its options, its values from a stored product or from a submitted body, and its page. */
const goodsFormOptions = {
  departments: DEPARTMENTS,
  categories: CATEGORY_SLUGS,
  units: UNIT_CODES,
  ivaRates: IVA_RATES,
  certifications: CERTIFICATIONS,
  months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
};

/** The form values of a stored product (the inverse of GoodsSchema). */
export function goodsValues(p: Awaited<ReturnType<typeof goods.goodsForEdit>>) {
  return {
    nameIt: p.name?.it ?? '',
    nameEn: p.name?.en ?? '',
    descriptionIt: p.description?.it ?? '',
    descriptionEn: p.description?.en ?? '',
    category: p.category ?? '',
    unit: p.unit,
    ivaRate: String(p.ivaRate),
    tags: p.tags.join(', '),
    certifications: p.certifications,
    seasonMonths: p.seasonMonths.map(String),
    lot: p.traceability?.lot ?? '',
    tracedOn: p.traceability?.date ? new Date(p.traceability.date).toISOString().slice(0, 10) : '',
    place: p.traceability?.place ?? '',
    materialsIt: p.traceability?.materials?.it ?? '',
    materialsEn: p.traceability?.materials?.en ?? '',
    careIt: p.care?.it ?? '',
    careEn: p.care?.en ?? '',
    published: p.published ? 'on' : '',
    variants: p.variants.map((v) => ({
      sku: v.sku,
      labelIt: v.label?.it ?? '',
      labelEn: v.label?.en ?? '',
      size: v.size,
      colour: v.colour,
      // A draft not priced yet shows an empty field, not 0.00.
      price: v.priceCents ? (v.priceCents / 100).toFixed(2) : '',
      stock: String(p.stockBySku[v.sku] ?? 0),
      stockSeen: String(p.stockBySku[v.sku] ?? 0),
    })),
  };
}

/** The submitted goods form, kept as typed so a refused form shows the user's input again. */
export function submittedValues(body: Record<string, unknown>) {
  const list = (k: string) => (Array.isArray(body[k]) ? (body[k] as string[]) : typeof body[k] === 'string' ? [body[k] as string] : []);
  const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
  return {
    nameIt: str('nameIt'),
    nameEn: str('nameEn'),
    descriptionIt: str('descriptionIt'),
    descriptionEn: str('descriptionEn'),
    category: str('category'),
    unit: str('unit'),
    ivaRate: str('ivaRate'),
    tags: str('tags'),
    certifications: list('certifications'),
    seasonMonths: list('seasonMonths'),
    lot: str('lot'),
    tracedOn: str('tracedOn'),
    place: str('place'),
    materialsIt: str('materialsIt'),
    materialsEn: str('materialsEn'),
    careIt: str('careIt'),
    careEn: str('careEn'),
    published: str('published'),
    variants: list('vSku').map((sku, i) => ({
      sku,
      labelIt: list('vLabelIt')[i] ?? '',
      labelEn: list('vLabelEn')[i] ?? '',
      size: list('vSize')[i] ?? '',
      colour: list('vColour')[i] ?? '',
      price: list('vPrice')[i] ?? '',
      stock: list('vStock')[i] ?? '',
      stockSeen: list('vStockSeen')[i] ?? '',
    })),
  };
}

export type GoodsValues = ReturnType<typeof submittedValues>;

type Product = Awaited<ReturnType<typeof goods.goodsForEdit>>;

const blankVariant = () => ({ sku: '', labelIt: '', labelEn: '', size: '', colour: '', price: '', stock: '', stockSeen: '' });

/**
 * Renders the goods form (422 when there are errors). It shows the
 * variants given, or one empty block, and one more empty block when the
 * member asked for it (`addVariant`): never a wall of empty blocks.
 * `staged` are photos sent with this form and kept for its next save,
 * each with the signed token the form carries back.
 */
export async function renderGoodsForm(
  req: Request,
  res: Response,
  opts: {
    product?: Product;
    values: GoodsValues | ReturnType<typeof goodsValues>;
    errors: Record<string, string>;
    imageError?: string;
    status?: number;
    addVariant?: boolean;
    staged?: { token: string; key: string; widths: number[] }[];
  },
): Promise<void> {
  const values = { ...opts.values, variants: [...opts.values.variants] };
  if (!values.variants.length) values.variants.push(blankVariant());
  if (opts.addVariant && values.variants.length < MAX_VARIANTS) values.variants.push(blankVariant());
  const hasErrors = Object.keys(opts.errors).length > 0 || !!opts.imageError;
  res.status(opts.status ?? (hasErrors ? 422 : 200)).render('workspace/goods-form', {
    title: opts.product ? req.t('workspace.goods.editTitle') : req.t('workspace.goods.newTitle'),
    product: opts.product,
    values,
    errors: opts.errors,
    imageError: opts.imageError,
    staged: opts.staged ?? [],
    canPublish: req.coop!.status === 'approved' || !!opts.product?.published,
    canAddVariant: values.variants.length < MAX_VARIANTS,
    maxImageBytes: MAX_IMAGE_BYTES,
    // Open "more details" when something in it was filled or refused, so nothing typed is hidden.
    moreOpen: MORE_FIELDS.some((f) => {
      const v = (values as Record<string, unknown>)[f];
      return (Array.isArray(v) ? v.length > 0 : !!v) || !!opts.errors[f];
    }),
    ...goodsFormOptions,
  });
}

/** The fields folded under "more details": optional, and most products need none of them. */
const MORE_FIELDS = [
  'nameEn',
  'descriptionEn',
  'tags',
  'certifications',
  'seasonMonths',
  'lot',
  'tracedOn',
  'place',
  'materialsIt',
  'materialsEn',
  'careIt',
  'careEn',
];
