import { Router } from 'express';
import multer from 'multer';
import { AppError, isAppError } from '../platform/errors';
import { flash } from '../platform/web';
import { goods } from '../catalog';
import { RandomIdParam } from './workspace.schemas';
import { coopBase as base, manager } from './deps';
import { isTooLarge, parseUpload } from './uploads';

/**
 * Bulk price and stock update by CSV (manager): upload, preview, apply once.
 * Mounted before the goods routes, so `/goods/import` is never read as a product id.
 */
export function goodsImportRoutes(): Router {
  const router = Router();
  const csvUpload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: 1024 * 1024, files: 1, fields: 2, fieldSize: 200 },
  }).single('file');

  router.get('/workspace/:coopSlug/goods/import', manager, (req, res) => {
    res.render('workspace/import', { title: req.t('workspace.import.title'), preview: null, error: undefined });
  });

  router.post('/workspace/:coopSlug/goods/import', manager, async (req, res) => {
    const refuse = (message: string, status = 422) =>
      res.status(status).render('workspace/import', { title: req.t('workspace.import.title'), preview: null, error: message });
    const err = await parseUpload(csvUpload, req, res);
    if (err) return refuse(isTooLarge(err) ? 'workspace.import.tooBig' : 'workspace.upload.oneFile');
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

  return router;
}
