import { Types } from 'mongoose';
import { trusted } from '../platform/db';
import { CommissionRateModel } from './commission.model';

/**
 * The commission (basis points) in force for a co-op at `at`: its own
 * override if one has taken effect, else the platform default rate in force,
 * else `fallbackBps` (PLATFORM_COMMISSION_BPS from the config).
 */
export async function commissionBpsFor(coopId: string, at: Date, fallbackBps: number): Promise<number> {
  const rates = await CommissionRateModel.find(
    { coop: trusted({ $in: [new Types.ObjectId(coopId), null] }), effectiveFrom: trusted({ $lte: at }) },
    { coop: 1, bps: 1, effectiveFrom: 1 },
  ).lean();
  const newest = (own: boolean) =>
    rates.filter((r) => (r.coop !== null) === own).sort((a, b) => +b.effectiveFrom - +a.effectiveFrom)[0];
  return (newest(true) ?? newest(false))?.bps ?? fallbackBps;
}

/** The rates for many co-ops at once (one query), for checkout with several co-ops. */
export async function commissionBpsForMany(coopIds: string[], at: Date, fallbackBps: number): Promise<Map<string, number>> {
  const rates = await CommissionRateModel.find(
    { coop: trusted({ $in: [...coopIds.map((id) => new Types.ObjectId(id)), null] }), effectiveFrom: trusted({ $lte: at }) },
    { coop: 1, bps: 1, effectiveFrom: 1 },
  )
    .sort({ effectiveFrom: -1 })
    .lean();
  const platform = rates.find((r) => r.coop === null)?.bps ?? fallbackBps;
  return new Map(coopIds.map((id) => [id, rates.find((r) => r.coop !== null && String(r.coop) === id)?.bps ?? platform]));
}
