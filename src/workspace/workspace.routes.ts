import { Router, type Request, type RequestHandler, type Response } from 'express';
import multer from 'multer';
import type { z } from 'zod';
import type { CoreDeps } from '../platform/deps';
import type { PaymentGateway } from '../payments';
import type { Transfers } from '../payouts';
import { requireUser } from '../accounts';
import { AppError, isAppError, unavailable } from '../platform/errors';
import { flash } from '../platform/web';
import { LocalDiskStorage } from '../platform/storage';
import { CATEGORY_SLUGS, CERTIFICATIONS, DEPARTMENTS, IVA_RATES, MAX_IMAGE_BYTES, UNIT_CODES, goods } from '../catalog';
import { GoodsSchema, ImageAltSchema, ObjectIdParam, RandomIdParam } from './workspace.schemas';
import { fieldErrors } from '../platform/forms';
import { dashboardFigures, workspaceCoop } from './workspace.service';
import {
  ApplicationSchema,
  COOP_KINDS,
  REGIONS,
  SOCIAL_TYPES,
  applicationsOf,
  applyToJoin,
  dashboardLink,
  refreshOnboardingLink,
  requireCoopRole,
  roleAtLeast,
  startOnboarding,
  syncAccount,
} from '../coops';
import { fulfilmentRoutes } from './fulfilment.routes';
import { reportsRoutes } from './reports.routes';

/** What the workspace needs from the app; `payments` is absent until the payments feature provides it. */
export type WorkspaceDeps = Pick<CoreDeps, 'config' | 'mailer' | 'events'> & {
  payments?: PaymentGateway;
  /** Payouts' transfers: a share that moved may free its transfer. */
  transfers: Pick<Transfers, 'onShareFulfilmentChanged'>;
};

/** `aria-invalid` and `aria-describedby` for an input whose value was refused. */
function fieldAttrs(errors: Record<string, string>, name: string): string {
  return errors[name] ? `aria-invalid="true" aria-describedby="err-${name.replace(/\./g, '-')}"` : '';
}

/** Runs one multer parser and hands back its error instead of throwing, so the form can say what went wrong. */
function parseUpload(parser: RequestHandler, req: Request, res: Response): Promise<unknown> {
  return new Promise((resolve) => parser(req, res, (err?: unknown) => resolve(err)));
}

const uploadMessage = (err: unknown): string =>
  err instanceof multer.MulterError
    ? err.code === 'LIMIT_FILE_SIZE'
      ? 'workspace.upload.tooBig'
      : 'workspace.upload.oneFile'
    : isAppError(err)
      ? `workspace.upload.${err.code}`
      : 'workspace.upload.failed';

const goodsFormOptions = {
  departments: DEPARTMENTS,
  categories: CATEGORY_SLUGS,
  units: UNIT_CODES,
  ivaRates: IVA_RATES,
  certifications: CERTIFICATIONS,
  months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
};

/** The form values of a stored product (the inverse of GoodsSchema). */
function goodsValues(p: Awaited<ReturnType<typeof goods.goodsForEdit>>) {
  return {
    nameIt: p.name?.it ?? '', nameEn: p.name?.en ?? '',
    descriptionIt: p.description?.it ?? '', descriptionEn: p.description?.en ?? '',
    category: p.category, unit: p.unit, ivaRate: String(p.ivaRate),
    tags: p.tags.join(', '), certifications: p.certifications, seasonMonths: p.seasonMonths.map(String),
    lot: p.traceability?.lot ?? '', tracedOn: p.traceability?.date ? new Date(p.traceability.date).toISOString().slice(0, 10) : '',
    place: p.traceability?.place ?? '', materialsIt: p.traceability?.materials?.it ?? '', materialsEn: p.traceability?.materials?.en ?? '',
    careIt: p.care?.it ?? '', careEn: p.care?.en ?? '', published: p.published ? 'on' : '',
    variants: p.variants.map((v) => ({
      sku: v.sku, labelIt: v.label?.it ?? '', labelEn: v.label?.en ?? '', size: v.size, colour: v.colour,
      price: (v.priceCents / 100).toFixed(2), stock: String(p.stockBySku[v.sku] ?? 0), stockSeen: String(p.stockBySku[v.sku] ?? 0),
    })),
  };
}

/** The submitted goods form, kept as typed so a refused form shows the user's input again. */
function submittedValues(body: Record<string, unknown>) {
  const list = (k: string) => (Array.isArray(body[k]) ? (body[k] as string[]) : typeof body[k] === 'string' ? [body[k] as string] : []);
  const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
  return {
    nameIt: str('nameIt'), nameEn: str('nameEn'), descriptionIt: str('descriptionIt'), descriptionEn: str('descriptionEn'),
    category: str('category'), unit: str('unit'), ivaRate: str('ivaRate'), tags: str('tags'),
    certifications: list('certifications'), seasonMonths: list('seasonMonths'),
    lot: str('lot'), tracedOn: str('tracedOn'), place: str('place'), materialsIt: str('materialsIt'), materialsEn: str('materialsEn'),
    careIt: str('careIt'), careEn: str('careEn'), published: str('published'),
    variants: list('vSku').map((sku, i) => ({
      sku, labelIt: list('vLabelIt')[i] ?? '', labelEn: list('vLabelEn')[i] ?? '', size: list('vSize')[i] ?? '', colour: list('vColour')[i] ?? '',
      price: list('vPrice')[i] ?? '', stock: list('vStock')[i] ?? '', stockSeen: list('vStockSeen')[i] ?? '',
    })),
  };
}

type GoodsValues = ReturnType<typeof submittedValues>;

/**
 * The co-op workspace: joining (`/join`), the list of my co-ops
 * (`/workspace`) and each co-op's pages under `/workspace/:coopSlug`,
 * guarded by role: staff fulfil orders, managers also edit goods and see
 * the money, only the owner connects payouts (members: accounts/).
 */
export function workspaceRoutes(deps: WorkspaceDeps): Router {
  const router = Router();
  const storage = new LocalDiskStorage(deps.config.uploadsDir);
  const imageUpload = multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_IMAGE_BYTES, files: 1, fields: 5, fieldSize: 2_000 } }).single('image');
  const csvUpload = multer({ storage: multer.memoryStorage(), limits: { fileSize: 1024 * 1024, files: 1, fields: 2, fieldSize: 200 } }).single('file');
  const payments = (): PaymentGateway => {
    if (!deps.payments) throw unavailable('payments_unavailable', 'Payments are not configured');
    return deps.payments;
  };
  const base = (req: Request) => `/workspace/${req.coop!.slug}`;
  const validId = (raw: unknown, code = 'product_not_found'): string => {
    const r = ObjectIdParam.safeParse(raw);
    if (!r.success) throw new AppError(code, 'Not found', 404);
    return r.data;
  };

  router.use(['/join', '/workspace'], (_req, res, next) => {
    res.locals.fieldAttrs = fieldAttrs;
    next();
  });

  // ── Joining ────────────────────────────────────────────────────────────
  const renderJoin = async (req: Request, res: Response, values: Record<string, unknown>, errors: Record<string, string>) => {
    res.status(Object.keys(errors).length ? 422 : 200).render('workspace/join', {
      title: req.t('workspace.join.title'),
      values,
      errors,
      applications: await applicationsOf(req.user!.id),
      kinds: COOP_KINDS,
      socialTypes: SOCIAL_TYPES,
      regions: REGIONS,
    });
  };

  router.get('/join', requireUser, (req, res) => renderJoin(req, res, {}, {}));

  router.post('/join', requireUser, async (req, res) => {
    const parsed = ApplicationSchema.safeParse(req.body);
    if (!parsed.success) return renderJoin(req, res, req.body as Record<string, unknown>, fieldErrors(parsed.error, { fallback: 'workspace.errors.invalid' }));
    const coop = await applyToJoin(req.user!.id, parsed.data);
    flash(req, 'success', 'workspace.join.sent');
    res.redirect(303, `/workspace/${coop.slug}`);
  });

  // ── My co-ops and the co-op home ───────────────────────────────────────
  router.get('/workspace', requireUser, (req, res) => {
    res.render('workspace/index', { title: req.t('workspace.index.title'), coops: req.user!.coops });
  });

  const staff = requireCoopRole('staff');
  const manager = requireCoopRole('manager');
  const owner = requireCoopRole('owner');

  router.use('/workspace/:coopSlug', staff, (req, res, next) => {
    res.locals.coopNav = { slug: req.coop!.slug, name: req.coop!.name, role: req.coop!.role, status: req.coop!.status, can: (min: 'staff' | 'manager' | 'owner') => roleAtLeast(req.coop!.role, min) };
    next();
  });

  router.get('/workspace/:coopSlug', async (req, res) => {
    const [coop, figures] = await Promise.all([workspaceCoop(req.coop!.id), dashboardFigures(req.coop!.id)]);
    res.render('workspace/dashboard', { title: coop.name, coop, figures });
  });

  // ── Payouts connection (owner) ─────────────────────────────────────────
  const onboardingUrls = (req: Request) => ({
    refreshUrl: `${deps.config.publicUrl}${base(req)}/payouts/refresh`,
    returnUrl: `${deps.config.publicUrl}${base(req)}/payouts/return`,
  });

  router.get('/workspace/:coopSlug/payouts', owner, async (req, res) => {
    const coop = await workspaceCoop(req.coop!.id);
    res.render('workspace/payouts', { title: req.t('workspace.payouts.title'), coop, available: !!deps.payments });
  });

  router.post('/workspace/:coopSlug/payouts/connect', owner, async (req, res) => {
    const url = await startOnboarding(payments(), req.coop!.id, req.user!.email, onboardingUrls(req));
    res.redirect(303, url);
  });

  // Stripe sends the owner here when a link was used or expired: make a new one.
  router.get('/workspace/:coopSlug/payouts/refresh', owner, async (req, res) => {
    res.redirect(303, await refreshOnboardingLink(payments(), req.coop!.id, onboardingUrls(req)));
  });

  router.get('/workspace/:coopSlug/payouts/return', owner, async (req, res) => {
    const state = await syncAccount(payments(), deps.events, req.coop!.id);
    flash(req, state === 'ready' ? 'success' : 'info', `workspace.payouts.returned.${state}`);
    res.redirect(303, `${base(req)}/payouts`);
  });

  router.post('/workspace/:coopSlug/payouts/refresh-state', owner, async (req, res) => {
    await syncAccount(payments(), deps.events, req.coop!.id);
    res.redirect(303, `${base(req)}/payouts`);
  });

  router.post('/workspace/:coopSlug/payouts/dashboard', owner, async (req, res) => {
    res.redirect(303, await dashboardLink(payments(), req.coop!.id));
  });

  // ── Goods (manager) ────────────────────────────────────────────────────
  router.get('/workspace/:coopSlug/goods', manager, async (req, res) => {
    res.render('workspace/goods', { title: req.t('workspace.goods.title'), products: await goods.listGoods(req.coop!.id) });
  });

  router.get('/workspace/:coopSlug/goods.csv', manager, async (req, res) => {
    res.type('text/csv; charset=utf-8').attachment(`${req.coop!.slug}-goods.csv`).send(await goods.goodsCsv(req.coop!.id));
  });

  const renderGoodsForm = async (
    req: Request,
    res: Response,
    opts: { product?: Awaited<ReturnType<typeof goods.goodsForEdit>>; values: GoodsValues | ReturnType<typeof goodsValues>; errors: Record<string, string>; imageError?: string; status?: number },
  ) => {
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
  };

  const saveGoods = async (req: Request, res: Response, productId?: string) => {
    const parsed = GoodsSchema.safeParse(req.body);
    const product = productId ? await goods.goodsForEdit(req.coop!, productId) : undefined;
    if (!parsed.success) {
      return renderGoodsForm(req, res, { product, values: submittedValues(req.body as Record<string, unknown>), errors: fieldErrors(parsed.error as z.ZodError, { fallback: 'workspace.errors.invalid' }) });
    }
    try {
      const id = productId ?? (await goods.createGoods(req.coop!, parsed.data));
      const short = productId ? await goods.updateGoods(req.coop!, productId, parsed.data) : 0;
      flash(req, 'success', 'workspace.goods.saved');
      if (short) flash(req, 'info', 'workspace.goods.stockShort', { count: short });
      res.redirect(303, `${base(req)}/goods/${id}/edit`);
    } catch (err) {
      if (isAppError(err) && err.code === 'coop_not_approved') {
        return renderGoodsForm(req, res, { product, values: submittedValues(req.body as Record<string, unknown>), errors: { published: 'workspace.errors.notApproved' } });
      }
      throw err;
    }
  };

  // ── Bulk price and stock update by CSV (manager); before /goods/:id ────
  router.get('/workspace/:coopSlug/goods/import', manager, (req, res) => {
    res.render('workspace/import', { title: req.t('workspace.import.title'), preview: null, error: undefined });
  });

  router.post('/workspace/:coopSlug/goods/import', manager, async (req, res) => {
    const refuse = (message: string, status = 422) => res.status(status).render('workspace/import', { title: req.t('workspace.import.title'), preview: null, error: message });
    const err = await parseUpload(csvUpload, req, res);
    if (err) return refuse(err instanceof multer.MulterError && err.code === 'LIMIT_FILE_SIZE' ? 'workspace.import.tooBig' : 'workspace.upload.oneFile');
    if (!req.file) return refuse('workspace.upload.missing');
    try {
      const id = await goods.previewGoodsImport(req.coop!, req.user!.id, req.file.buffer);
      res.redirect(303, `${base(req)}/goods/import/${id}`);
    } catch (e) {
      if (isAppError(e) && e.status === 422) return refuse(`workspace.import.${e.code}`);
      throw e;
    }
  });

  const importId = (raw: unknown) => {
    const r = RandomIdParam.safeParse(raw);
    if (!r.success) throw new AppError('import_not_found', 'No such import', 404);
    return r.data;
  };

  router.get('/workspace/:coopSlug/goods/import/:importId', manager, async (req, res) => {
    const preview = await goods.goodsImport(req.coop!, importId(req.params.importId));
    res.render('workspace/import', { title: req.t('workspace.import.previewTitle'), preview, error: undefined });
  });

  router.post('/workspace/:coopSlug/goods/import/:importId/apply', manager, async (req, res) => {
    const id = importId(req.params.importId);
    try {
      const { count, short } = await goods.applyGoodsImport(req.coop!, id);
      flash(req, 'success', 'workspace.import.applied', { count });
      if (short) flash(req, 'info', 'workspace.goods.stockShort', { count: short });
    } catch (e) {
      if (!(isAppError(e) && e.code === 'import_already_applied')) throw e;
      flash(req, 'info', 'workspace.import.alreadyApplied');
    }
    res.redirect(303, `${base(req)}/goods`);
  });

  router.get('/workspace/:coopSlug/goods/new', manager, (req, res) => renderGoodsForm(req, res, { values: submittedValues({ ivaRate: '10', unit: 'piece' }), errors: {} }));
  router.post('/workspace/:coopSlug/goods', manager, (req, res) => saveGoods(req, res));

  router.get('/workspace/:coopSlug/goods/:id/edit', manager, async (req, res) => {
    const product = await goods.goodsForEdit(req.coop!, validId(req.params.id));
    await renderGoodsForm(req, res, { product, values: goodsValues(product), errors: {} });
  });
  router.post('/workspace/:coopSlug/goods/:id', manager, (req, res) => saveGoods(req, res, validId(req.params.id)));

  router.post('/workspace/:coopSlug/goods/:id/duplicate', manager, async (req, res) => {
    const id = await goods.duplicateGoods(req.coop!, validId(req.params.id));
    flash(req, 'success', 'workspace.goods.duplicated');
    res.redirect(303, `${base(req)}/goods/${id}/edit`);
  });

  router.post('/workspace/:coopSlug/goods/:id/archive', manager, async (req, res) => {
    const archived = (req.body as { archived?: string }).archived !== 'false';
    await goods.setArchived(req.coop!, validId(req.params.id), archived);
    flash(req, 'success', archived ? 'workspace.goods.archived' : 'workspace.goods.restored');
    res.redirect(303, `${base(req)}/goods`);
  });

  // Multipart: the CSRF token travels in the action URL (`?_csrf=`), since the body is parsed after the check.
  router.post('/workspace/:coopSlug/goods/:id/images', manager, async (req, res) => {
    const id = validId(req.params.id);
    const product = await goods.goodsForEdit(req.coop!, id);
    const refuse = (message: string, status = 422) => renderGoodsForm(req, res, { product, values: goodsValues(product), errors: {}, imageError: message, status });
    const err = await parseUpload(imageUpload, req, res);
    if (err) return refuse(uploadMessage(err), err instanceof multer.MulterError && err.code === 'LIMIT_FILE_SIZE' ? 413 : 422);
    if (!req.file) return refuse('workspace.upload.missing');
    const alt = ImageAltSchema.safeParse(req.body ?? {});
    try {
      await goods.addGoodsImage(storage, req.coop!, id, req.file.buffer, alt.success ? { it: alt.data.altIt, en: alt.data.altEn } : { it: '', en: '' });
    } catch (e) {
      if (isAppError(e) && e.status === 422) return refuse(uploadMessage(e));
      throw e;
    }
    flash(req, 'success', 'workspace.upload.stored');
    res.redirect(303, `${base(req)}/goods/${id}/edit#images`);
  });

  router.post('/workspace/:coopSlug/goods/:id/images/remove', manager, async (req, res) => {
    const id = validId(req.params.id);
    const key = String((req.body as { key?: unknown }).key ?? '');
    if (!/^products\/[a-f0-9]{32}$/.test(key)) throw new AppError('image_not_found', 'No such image', 404);
    await goods.removeGoodsImage(storage, req.coop!, id, key);
    flash(req, 'success', 'workspace.upload.removed');
    res.redirect(303, `${base(req)}/goods/${id}/edit#images`);
  });

  router.use('/workspace/:coopSlug', fulfilmentRoutes(deps), reportsRoutes(deps));

  return router;
}
