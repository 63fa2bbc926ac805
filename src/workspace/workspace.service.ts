import { notFound } from '../platform/errors';
import { findCoop, payoutsStateOf } from '../coops';
import { goodsCounts } from '../catalog';
import { sharesOfCoop } from './fulfilment.service';

/** The co-op as the workspace pages show it (never another co-op: the guard set `coopId`). */
export async function workspaceCoop(coopId: string) {
  const coop = await findCoop(coopId);
  if (!coop) throw notFound('coop_not_found', 'No such co-op workspace');
  return { ...coop, payoutsState: payoutsStateOf(coop) };
}

/** Counts for the workspace home. */
export async function dashboardFigures(coopId: string) {
  const [{ published, drafts }, open] = await Promise.all([goodsCounts(coopId), sharesOfCoop(coopId, 'open', 1000)]);
  return { published, drafts, openOrders: open.length };
}
