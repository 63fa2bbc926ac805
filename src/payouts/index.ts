/** What other features may use from payouts. */
import type { Job } from '../platform/jobs';
import { ledgerCommissionJob } from './balances.service';
import { bulkReleaseJob } from './bulk.service';
import { transfersDueJob } from './transfers.service';

/** The payouts feature's periodic work (server.ts runs it): due and retryable transfers, interrupted bulk releases, missing commission entries. */
export function payoutsJobs(): Job[] {
  return [transfersDueJob, bulkReleaseJob, ledgerCommissionJob];
}
