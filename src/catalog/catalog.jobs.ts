import type { Job } from '../platform/jobs';
import type { FileStorage } from '../platform/storage';
import { goodsImportJobs, sweepStagedImages } from './goods.service';
import { catalogReadModel } from './read-model';

/**
 * The catalogue's periodic work, for the app's job runner: the poll that
 * keeps this process's read model current (every process), the clean-up
 * of the read model's change feed, the expiry of goods import previews, and
 * the removal of photos sent with goods forms never saved (hourly).
 */
export function catalogJobs(deps: { storage: FileStorage }): Job[] {
  return [
    ...catalogReadModel.jobs(),
    ...goodsImportJobs(),
    { name: 'staged-images', everyMs: 3_600_000, run: () => sweepStagedImages(deps.storage) },
  ];
}
