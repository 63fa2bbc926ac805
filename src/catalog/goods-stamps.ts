import { randomUUID } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';

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

export const HELD_GOODS_MS = 60_000;

/** The co-op's stamp now ('' when none of its products was written since stamps exist). */
export async function goodsStampOf(coopId: string): Promise<string> {
  return (await GoodsStampModel.findById(coopId, { token: 1 }).lean())?.token ?? '';
}

/** These co-ops' products were written: every process's held lists of them are out of date. */
export async function moveGoodsStamps(coopIds: readonly string[]): Promise<void> {
  const ids = [...new Set(coopIds)];
  if (!ids.length) return;
  await GoodsStampModel.bulkWrite(
    ids.map((id) => ({ updateOne: { filter: { _id: id }, update: { $set: { token: randomUUID() } }, upsert: true } })),
    { ordered: false },
  );
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
