import { Types } from 'mongoose';
import { notFound } from '../platform/errors';
import { CoopModel } from '../coops/coop.model';
import { ProductModel } from '../catalog/product.model';
import { payoutsStateOf } from '../coops/onboarding.service';
import { sharesOfCoop } from './fulfilment.service';

/** The co-op as the workspace pages show it (never another co-op: the guard set `coopId`). */
export async function workspaceCoop(coopId: string) {
  const coop = await CoopModel.findById(new Types.ObjectId(coopId), {
    name: 1, slug: 1, status: 1, rejectionReason: 1, stripeAccountId: 1, payouts: 1, kind: 1, town: 1, region: 1, createdAt: 1,
  }).lean();
  if (!coop) throw notFound('coop_not_found', 'No such co-op workspace');
  return { ...coop, payoutsState: payoutsStateOf(coop) };
}

/** Counts for the workspace home. */
export async function dashboardFigures(coopId: string) {
  const coop = new Types.ObjectId(coopId);
  const [published, drafts, open] = await Promise.all([
    ProductModel.countDocuments({ coop, published: true, archived: false }),
    ProductModel.countDocuments({ coop, published: false, archived: false }),
    sharesOfCoop(coopId, 'open', 1000),
  ]);
  return { published, drafts, openOrders: open.length };
}
