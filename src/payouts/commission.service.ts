import { Types } from 'mongoose';
import { coopExists, coopNames } from '../coops';
import { AppError, notFound } from '../platform/errors';
import { audit } from '../platform/audit';
import { CommissionRateModel, type CommissionRate } from './commission.model';

type Rate = Pick<CommissionRate, 'coop' | 'bps' | 'effectiveFrom'>;

/**
 * Every rate ever added: a few documents, since only admins add them and
 * never edit them. Checkout needs them on every start, so they are kept in
 * memory for RATES_TTL_MS (a rate added through this app clears them at
 * once; one added through another app process is seen within that time).
 * Which rate is in force is still decided per call from `effectiveFrom`,
 * so a rate scheduled for later takes effect on the dot.
 */
const RATES_TTL_MS = 5_000;

/** The newest rate in force at `at` among `rates`. */
function inForce(rates: Rate[], at: Date, own: (r: Rate) => boolean): Rate | undefined {
  let best: Rate | undefined;
  for (const r of rates) if (own(r) && r.effectiveFrom <= at && (!best || r.effectiveFrom > best.effectiveFrom)) best = r;
  return best;
}

/**
 * The commission rates as one app reads them: the memory of the rates is
 * this object's (createPayouts makes one per app), not the module's.
 */
export function createCommissionRates() {
  let cache: { rates: Promise<Rate[]>; until: number } | null = null;

  function allRates(): Promise<Rate[]> {
    if (cache && Date.now() < cache.until) return cache.rates;
    const rates = CommissionRateModel.find({}, { coop: 1, bps: 1, effectiveFrom: 1 }).lean<Rate[]>().exec();
    cache = { rates, until: Date.now() + RATES_TTL_MS };
    rates.catch(() => (cache = null));
    return rates;
  }

  /** A rate was added: the next checkout reads them again. */
  function changed(): void {
    cache = null;
  }

  /** The rates for many co-ops at once, for checkout with several co-ops. */
  async function forMany(coopIds: string[], at: Date, fallbackBps: number): Promise<Map<string, number>> {
    const rates = await allRates();
    const platform = inForce(rates, at, (r) => r.coop === null)?.bps ?? fallbackBps;
    return new Map(coopIds.map((id) => [id, inForce(rates, at, (r) => r.coop !== null && String(r.coop) === id)?.bps ?? platform]));
  }

  /**
   * The commission (basis points) in force for a co-op at `at`: its own
   * override if one has taken effect, else the platform default rate in force,
   * else `fallbackBps` (PLATFORM_COMMISSION_BPS from the config).
   */
  async function forCoop(coopId: string, at: Date, fallbackBps: number): Promise<number> {
    return (await forMany([coopId], at, fallbackBps)).get(coopId)!;
  }

  return { forCoop, forMany, changed };
}

export type CommissionRates = ReturnType<typeof createCommissionRates>;

export interface RateRow {
  id: string;
  coopId: string | null;
  coopName: string;
  bps: number;
  effectiveFrom: Date;
  note: string;
  inForce: boolean;
}

/** Every commission rate, newest first, marking the ones in force now. */
export async function listCommissionRates(now = new Date()): Promise<RateRow[]> {
  const [rates, names0] = await Promise.all([
    CommissionRateModel.find({}, { coop: 1, bps: 1, effectiveFrom: 1, note: 1 }).lean(),
    coopNames(),
  ]);
  const names = new Map(names0.map((c) => [c.id, c.name]));
  const inForce = new Set<string>();
  const byParty = new Map<string, typeof rates>();
  for (const r of rates) {
    const k = r.coop ? String(r.coop) : '';
    byParty.set(k, [...(byParty.get(k) ?? []), r]);
  }
  for (const list of byParty.values()) {
    const current = list.filter((r) => r.effectiveFrom <= now).sort((a, b) => +b.effectiveFrom - +a.effectiveFrom)[0];
    if (current) inForce.add(String(current._id));
  }
  return rates
    .map((r) => ({
      id: String(r._id),
      coopId: r.coop ? String(r.coop) : null,
      coopName: r.coop ? (names.get(String(r.coop)) ?? '') : '',
      bps: r.bps,
      effectiveFrom: r.effectiveFrom,
      note: r.note ?? '',
      inForce: inForce.has(String(r._id)),
    }))
    .sort((a, b) => +b.effectiveFrom - +a.effectiveFrom);
}

/**
 * Adds a rate (the platform default when `coopId` is null) from a date on.
 * Rates are only added, never edited: orders already placed keep the rate
 * they snapshotted, so a change never touches them.
 */
export async function addCommissionRate(
  actorId: string,
  input: { coopId: string | null; bps: number; effectiveFrom: Date; note: string },
  rates: Pick<CommissionRates, 'changed'>,
): Promise<RateRow> {
  if (!Number.isInteger(input.bps) || input.bps < 0 || input.bps > 5000)
    throw new AppError('commission_out_of_range', 'Commission must be 0–50%', 422);
  if (input.coopId && !(await coopExists(input.coopId))) throw notFound('coop_not_found', 'No such co-op');
  const doc = await CommissionRateModel.create({
    coop: input.coopId ? new Types.ObjectId(input.coopId) : null,
    bps: input.bps,
    effectiveFrom: input.effectiveFrom,
    note: input.note,
    createdBy: new Types.ObjectId(actorId),
  });
  rates.changed();
  await audit(actorId, 'commission.add', input.coopId ? `coop:${input.coopId}` : 'platform', null, {
    bps: doc.bps,
    effectiveFrom: doc.effectiveFrom,
    note: doc.note,
  });
  return {
    id: String(doc._id),
    coopId: input.coopId,
    coopName: '',
    bps: doc.bps,
    effectiveFrom: doc.effectiveFrom,
    note: doc.note ?? '',
    inForce: doc.effectiveFrom <= new Date(),
  };
}
