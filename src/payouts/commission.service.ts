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
