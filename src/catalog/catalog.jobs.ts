import type { Job } from '../platform/jobs';
import { sweepGoodsImports } from './goods.service';
import { catalogReadModel } from './read-model';

/**
 * The catalogue's periodic work, for the app's job runner: the poll that
 * keeps this process's read model current (every process), the clean-up
 * of the read model's change feed, and the expiry of goods import previews.
 */
export function catalogJobs(): Job[] {
  return [...catalogReadModel.jobs(), { name: 'goods-imports', everyMs: 3_600_000, run: () => sweepGoodsImports() }];
}
