/**
 * The co-op home's "at a glance" blocks, kept for a few seconds per co-op
 * and per view (with or without the money), so that members who keep the
 * home open, or many members of one co-op, do not each repeat its six reads.
 * The goods list with its stock is kept the same way, per goods stamp (the
 * view), so a product edited in any process shows at once.
 *
 * What it may show late, and why that is acceptable: the counters of the
 * home (orders to ship, month sales, next payout, goods running low) lag
 * at most the configured time (WORKSPACE_GLANCE_SECONDS, 5 s by default) behind what buyers and other app processes do. The
 * process that handles a member's own change (a parcel shipped, a product
 * saved) drops its copy at once, so a member sees their own action on the
 * next page. Rights are never kept here: who may see the page is checked on
 * every request (coops' guards, memberships keyed by the rights version).
 */
/** Co-ops kept at most; the oldest goes first. */
const MAX_KEPT = 500;

export class GlanceCache<T> {
  private readonly kept = new Map<string, { at: number; value: Promise<T> }>();

  constructor(private readonly ttlMs: number) {}

  /** The kept value for this co-op and view, or `load()`'s (shared by concurrent callers; a failure is not kept). */
  get(coopId: string, view: string, load: () => Promise<T>, now = Date.now()): Promise<T> {
    const key = `${coopId}|${view}`;
    if (this.ttlMs <= 0) return load();
    const hit = this.kept.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    const value = load();
    this.kept.delete(key);
    this.kept.set(key, { at: now, value });
    value.catch(() => {
      if (this.kept.get(key)?.value === value) this.kept.delete(key);
    });
    for (const old of this.kept.keys()) {
      if (this.kept.size <= MAX_KEPT) break;
      this.kept.delete(old);
    }
    return value;
  }

  /** Whether `value` (from `get`) is still what this co-op's view holds: not dropped, replaced or expired. */
  holds(coopId: string, view: string, value: Promise<T>, now = Date.now()): boolean {
    const hit = this.kept.get(`${coopId}|${view}`);
    return !!hit && hit.value === value && now - hit.at < this.ttlMs;
  }

  /** Forget every view of this co-op (its member changed something through this process). */
  drop(coopId: string): void {
    for (const key of this.kept.keys()) if (key.startsWith(`${coopId}|`)) this.kept.delete(key);
  }
}
