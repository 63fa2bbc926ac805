import { Router, type Request, type Response } from 'express';
import multer from 'multer';
import type { z } from 'zod';
import { AppError, isAppError } from '../platform/errors';
import { flash } from '../platform/web';
import { fieldErrors } from '../platform/forms';
import { LocalDiskStorage } from '../platform/storage';
import { GoodsSchema, ImageAltSchema, MAX_IMAGE_BYTES, goods } from '../catalog';
import { coopBase as base, manager, validId, type WorkspaceDeps } from './deps';
import { goodsValues, renderGoodsForm, submittedValues } from './goods-form';
import { isTooLarge, parseUpload, uploadMessage } from './uploads';

/** A manager's goods: the list, the CSV export, the form (new, edit, duplicate, archive) and the photos. */
export function goodsRoutes(deps: Pick<WorkspaceDeps, 'config'>): Router {
  const router = Router();
  const storage = new LocalDiskStorage(deps.config.uploadsDir);
  const imageUpload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: MAX_IMAGE_BYTES, files: 1, fields: 5, fieldSize: 2_000 },
  }).single('image');

  router.get('/workspace/:coopSlug/goods', manager, async (req, res) => {
    res.render('workspace/goods', { title: req.t('workspace.goods.title'), products: await goods.listGoods(req.coop!.id) });
  });

  router.get('/workspace/:coopSlug/goods.csv', manager, async (req, res) => {
    res
      .type('text/csv; charset=utf-8')
      .attachment(`${req.coop!.slug}-goods.csv`)
      .send(await goods.goodsCsv(req.coop!.id));
  });

  const saveGoods = async (req: Request, res: Response, productId?: string) => {
    const parsed = GoodsSchema.safeParse(req.body);
    const product = productId ? await goods.goodsForEdit(req.coop!, productId) : undefined;
    if (!parsed.success) {
      return renderGoodsForm(req, res, {
        product,
        values: submittedValues(req.body as Record<string, unknown>),
        errors: fieldErrors(parsed.error as z.ZodError, { fallback: 'workspace.errors.invalid' }),
      });
    }
    try {
      const id = productId ?? (await goods.createGoods(req.coop!, parsed.data));
      const short = productId ? await goods.updateGoods(req.coop!, productId, parsed.data) : 0;
      flash(req, 'success', 'workspace.goods.saved');
      if (short) flash(req, 'info', 'workspace.goods.stockShort', { count: short });
      res.redirect(303, `${base(req)}/goods/${id}/edit`);
    } catch (err) {
      if (isAppError(err) && err.code === 'coop_not_approved') {
        return renderGoodsForm(req, res, {
          product,
          values: submittedValues(req.body as Record<string, unknown>),
          errors: { published: 'workspace.errors.notApproved' },
        });
      }
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
