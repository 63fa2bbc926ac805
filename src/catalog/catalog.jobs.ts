import type { Job } from '../platform/jobs';
import { goodsImportJobs } from './goods.service';
import { catalogReadModel } from './read-model';

/**
 * The catalogue's periodic work, for the app's job runner: the poll that
 * keeps this process's read model current (every process), the clean-up
 * of the read model's change feed, and the expiry of goods import previews.
 */
export function catalogJobs(): Job[] {
  return [...catalogReadModel.jobs(), ...goodsImportJobs()];
}
