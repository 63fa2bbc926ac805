import { Router, type Request, type Response } from 'express';
import multer from 'multer';
import type { z } from 'zod';
import { AppError, isAppError } from '../platform/errors';
import { flash } from '../platform/web';
import { fieldErrors } from '../platform/forms';
import { LocalDiskStorage } from '../platform/storage';
import { GoodsSchema, ImageAltSchema, MAX_IMAGE_BYTES, goods, goodsIntent, keepWhile, publishProblems } from '../catalog';
import { coopBase as base, manager, validId, type WorkspaceDeps } from './deps';
import type { GlanceCache } from './glance-cache';
import { keptKeyPart, type KeptWorkspacePages } from './kept-pages';
import { goodsValues, renderGoodsForm, submittedValues } from './goods-form';
import { isTooLarge, parseUpload, readStagedPhotos, signStagedPhoto, uploadMessage } from './uploads';

/** A manager's goods: the list, the CSV export, the form (new, edit, duplicate, archive) and the photos. */
export function goodsRoutes(
  deps: Pick<WorkspaceDeps, 'config'>,
  held: { kept: KeptWorkspacePages; goodsLists: GlanceCache<Awaited<ReturnType<typeof goods.listGoods>>> },
): Router {
  const router = Router();
  const storage = new LocalDiskStorage(deps.config.uploadsDir);
  const imageUpload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: MAX_IMAGE_BYTES, files: 1, fields: 5, fieldSize: 2_000 },
  }).single('image');

  // Kept per goods stamp: the key part of the kept page, and of the list it shows.
  const keptGoods = held.kept.keep(/^\/workspace\/([^/]+)\/goods$/, (coop) => goods.goodsStampOf(coop.id));
  router.get('/workspace/:coopSlug/goods', manager, keptGoods, async (req, res) => {
    const coopId = req.coop!.id;
    const stamp = keptKeyPart(res) ?? (await goods.goodsStampOf(coopId));
    const list = held.goodsLists.get(coopId, stamp, () => goods.listGoods(coopId));
    keepWhile(res, () => held.goodsLists.holds(coopId, stamp, list));
    res.render('workspace/goods', { title: req.t('workspace.goods.title'), products: await list });
  });

  router.get('/workspace/:coopSlug/goods.csv', manager, async (req, res) => {
    res
      .type('text/csv; charset=utf-8')
      .attachment(`${req.coop!.slug}-goods.csv`)
      .send(await goods.goodsCsv(req.coop!.id));
  });

  // The goods form itself is multipart, so a photo can come with it (even for a new product).
  const formUpload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: MAX_IMAGE_BYTES, files: 1, fields: 250, fieldSize: 20_000 },
  }).single('image');
  const secret = deps.config.session.secret;

  /**
   * Saves the goods form as the button pressed asks: "save draft" (only a
   * name needed), "publish" (everything checked, at least one photo) or
   * "add another variant" (the form again with one more empty block). A
   * photo sent with the form is stored first and, until the product is
   * saved, travels with the form (signed, see uploads.ts): whatever the
   * outcome, nothing the member typed or uploaded is lost.
   */
  const saveGoods = async (req: Request, res: Response, productId?: string) => {
    let product = productId ? await goods.goodsForEdit(req.coop!, productId) : undefined;
    const uploadError = await parseUpload(formUpload, req, res);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const staged = readStagedPhotos(secret, req.coop!.id, body.staged);
    const show = (opts: { errors?: Record<string, string>; imageError?: string; status?: number; addVariant?: boolean }) =>
      renderGoodsForm(req, res, {
        product,
        values: submittedValues(body),
        errors: opts.errors ?? {},
        imageError: opts.imageError,
        status: opts.status,
        addVariant: opts.addVariant,
        staged: staged.map((p) => ({ ...p, token: signStagedPhoto(secret, req.coop!.id, p) })),
      });
    if (uploadError) return show({ imageError: uploadMessage(uploadError), status: isTooLarge(uploadError) ? 413 : 422 });
    if (req.file) {
      const alt = ImageAltSchema.safeParse(body);
      try {
        const stored = await goods.stageGoodsImage(storage, req.file.buffer);
        staged.push({ ...stored, alt: alt.success ? { it: alt.data.altIt, en: alt.data.altEn } : { it: '', en: '' } });
      } catch (e) {
        if (isAppError(e) && e.status === 422) return show({ imageError: uploadMessage(e) });
        throw e;
      }
    }
    // "Remove" next to a photo: the form comes back as typed, without that photo.
    const remove = typeof body.removePhoto === 'string' ? body.removePhoto : '';
    if (remove) {
      const i = staged.findIndex((p) => p.key === remove);
      if (i >= 0) await goods.discardStagedImage(storage, staged.splice(i, 1)[0]!);
      else if (product) {
        await goods.removeGoodsImage(storage, req.coop!, product.id, remove);
        product = await goods.goodsForEdit(req.coop!, product.id);
      } else throw new AppError('image_not_found', 'No such image', 404);
      return show({ status: 200 });
    }
    const intent = goodsIntent(body);
    if (intent === 'addVariant') return show({ addVariant: true, status: 200 });

    const parsed = GoodsSchema.safeParse(body);
    if (!parsed.success) return show({ errors: fieldErrors(parsed.error as z.ZodError, { fallback: 'workspace.errors.invalid' }) });
    if (parsed.data.published) {
      const problems = publishProblems(parsed.data);
      if (!(product?.images.length ?? 0) && !staged.length) problems.image = 'workspace.errors.photoToPublish';
      if (Object.keys(problems).length) return show({ errors: problems });
    }
    try {
      const id = productId ?? (await goods.createGoods(req.coop!, parsed.data, staged));
      const short = productId ? await goods.updateGoods(req.coop!, productId, parsed.data, staged) : 0;
      flash(req, 'success', parsed.data.published ? 'workspace.goods.savedOnSale' : 'workspace.goods.savedDraft');
      if (short) flash(req, 'info', 'workspace.goods.stockShort', { count: short });
      res.redirect(303, `${base(req)}/goods/${id}/edit`);
    } catch (err) {
      if (isAppError(err) && err.code === 'coop_not_approved') return show({ errors: { published: 'workspace.errors.notApproved' } });
      if (isAppError(err) && err.code === 'photo_required') return show({ errors: { image: 'workspace.errors.photoToPublish' } });
      if (isAppError(err) && err.code === 'too_many_images') return show({ imageError: uploadMessage(err) });
      throw err;
    }
  };

  router.get('/workspace/:coopSlug/goods/new', manager, (req, res) =>
    renderGoodsForm(req, res, { values: submittedValues({ ivaRate: '10', unit: 'piece' }), errors: {} }),
  );
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
    const refuse = (message: string, status = 422) =>
      renderGoodsForm(req, res, { product, values: goodsValues(product), errors: {}, imageError: message, status });
    const err = await parseUpload(imageUpload, req, res);
    if (err) return refuse(uploadMessage(err), isTooLarge(err) ? 413 : 422);
    if (!req.file) return refuse('workspace.upload.missing');
    const alt = ImageAltSchema.safeParse(req.body ?? {});
    try {
      await goods.addGoodsImage(
        storage,
        req.coop!,
        id,
        req.file.buffer,
        alt.success ? { it: alt.data.altIt, en: alt.data.altEn } : { it: '', en: '' },
      );
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

  return router;
}
