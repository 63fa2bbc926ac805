import { Router } from 'express';
import { CoopModel } from '../coops/coop.model';
import { ProductModel } from './product.model';

/** The storefront. */
export function catalogRoutes(): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const [coops, products] = await Promise.all([
      CoopModel.find({ status: 'approved' }, { name: 1, slug: 1, kind: 1, region: 1, town: 1, story: 1, socialType: 1 }).sort({ name: 1 }).lean(),
      ProductModel.find({ published: true, archived: false }, { name: 1, slug: 1, priceCents: 1, unit: 1, coop: 1, department: 1 })
        .sort({ createdAt: -1 })
        .limit(12)
        .lean(),
    ]);
    const coopNames = new Map(coops.map((c) => [String(c._id), c.name]));
    res.render('catalog/home', {
      title: req.t('catalog.home.title'),
      coops,
      products: products.map((p) => ({ ...p, coopName: coopNames.get(String(p.coop)) ?? '' })),
    });
  });

  return router;
}
