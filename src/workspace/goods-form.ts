import type { Request, Response } from 'express';
import { CATEGORY_SLUGS, CERTIFICATIONS, DEPARTMENTS, IVA_RATES, UNIT_CODES, goods } from '../catalog';

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
    category: p.category,
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
      price: (v.priceCents / 100).toFixed(2),
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

/** Renders the goods form, with one spare variant block per empty slot (422 when there are errors). */
export async function renderGoodsForm(
  req: Request,
  res: Response,
  opts: {
    product?: Product;
    values: GoodsValues | ReturnType<typeof goodsValues>;
    errors: Record<string, string>;
    imageError?: string;
    status?: number;
  },
): Promise<void> {
  const blank = { sku: '', labelIt: '', labelEn: '', size: '', colour: '', price: '', stock: '', stockSeen: '' };
  const values = { ...opts.values, variants: [...opts.values.variants] };
  if (!values.variants.length) values.variants.push({ ...blank, sku: 'default' });
  for (let i = 0; i < 3; i++) values.variants.push({ ...blank });
  res.status(opts.status ?? (Object.keys(opts.errors).length ? 422 : 200)).render('workspace/goods-form', {
    title: opts.product ? req.t('workspace.goods.editTitle') : req.t('workspace.goods.newTitle'),
    product: opts.product,
    values,
    errors: opts.errors,
    imageError: opts.imageError,
    canPublish: req.coop!.status === 'approved',
    ...goodsFormOptions,
  });
}
