import { randomUUID } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import { trusted } from '../platform/db';
import { GatheredReads } from '../platform/gathered-reads';

/**
 * A token per co-op that moves whenever one of its products is written
 * (product.model.ts's hooks), so that a process may keep a co-op's goods
 * list and check one tiny document instead of reading every product again:
 * FerretDB decodes a product document field by field, about 1 ms of the
 * engine's CPU for a demo product, ten of them a page.
 *
 * The stamp moves after the write, and a reader reads the stamp before the
 * products: a list held with a stamp is never older than the stamp says.
 * A crash between a write and its stamp would leave other processes'
 * lists behind, so a held list is read again after HELD_GOODS_MS anyway.
 */
const GoodsStampModel = mongoose.model(
  'GoodsStamp',
  new Schema<{ _id: string; token: string }>({ _id: String, token: String }, { collection: 'goods_stamps', versionKey: false }),
);

const HELD_GOODS_MS = 60_000;

/** The stamp of every co-op at once: moved by writes of many co-ops' products together (seeding, bulk inserts). */
const ALL = '*';

/** Stamps read together by the pages asking at about the same time, each by a read sent after it asked (see GatheredReads). */
const stamps = new GatheredReads<string, string>(async (coopIds) => {
  const docs = await GoodsStampModel.find({ _id: trusted({ $in: [...coopIds, ALL] }) }, { token: 1 }).lean();
  const token = new Map(docs.map((d) => [d._id, d.token]));
  return new Map(coopIds.map((id) => [id, `${token.get(id) ?? ''}|${token.get(ALL) ?? ''}`]));
});

/** The co-op's stamp now: its own token and the one of all co-ops ('' for one never moved). */
export async function goodsStampOf(coopId: string): Promise<string> {
  return (await stamps.get(coopId))!;
}

/** These co-ops' products were written: every process's held lists of them are out of date. */
export async function moveGoodsStamps(coopIds: readonly string[]): Promise<void> {
  const ids = [...new Set(coopIds)];
  if (!ids.length) return;
  // One write whatever the number of co-ops: many upserts at once (seeding 10,000 products) were too slow for the engine.
  const id = ids.length === 1 ? ids[0]! : ALL;
  await GoodsStampModel.updateOne({ _id: id }, { $set: { token: randomUUID() } }, { upsert: true });
}

/** Co-ops' goods lists as this process last read them, each with the stamp read before it. */
export class HeldGoods<T> {
  private readonly kept = new Map<string, { stamp: string; at: number; value: T }>();

  constructor(private readonly max = 500) {}

  /** The list held for this co-op, when it was read at `stamp` less than HELD_GOODS_MS ago. */
  get(coopId: string, stamp: string, now = Date.now()): T | undefined {
    const e = this.kept.get(coopId);
    return e && e.stamp === stamp && now - e.at < HELD_GOODS_MS ? e.value : undefined;
  }

  /** Holds a list read at `stamp`, from `at` (when the stamp was read). */
  set(coopId: string, stamp: string, value: T, at: number): void {
    this.kept.delete(coopId);
    if (this.kept.size >= this.max) this.kept.delete(this.kept.keys().next().value!);
    this.kept.set(coopId, { stamp, at, value });
  }
}
