import mongoose, { Schema, Types } from 'mongoose';
import { trusted } from '../platform/db';
import { isDuplicateKey } from '../platform/claims';
import { LedgerEntryModel } from './ledger.model';

/**
 * What a co-op owes the platform (a reversal it could not cover), in ONE
 * document per co-op (`_id` the co-op id). The balance changes only through
 * the two conditional single-document updates below, and the marker of each
 * change lives in the same document as the balance, so a change is applied
 * once however often (or however concurrently) it is asked for:
 * - `added.<key>`: a debt recorded for a refund's part (key "<refundId>:<coopId>");
 * - `netted.<transferId>`: the part of the debt taken off that transfer.
 * `owed` can never go below zero: netting is guarded by `owed >= x`.
 */
export interface CoopDebtDoc {
  _id: string;
  owed: number;
  added: Record<string, number>;
  netted: Record<string, number>;
}

export const CoopDebtModel = mongoose.model<CoopDebtDoc>(
  'CoopDebt',
  new Schema<CoopDebtDoc>(
    {
      _id: { type: String, required: true },
      owed: { type: Number, default: 0, min: 0 },
      added: { type: Schema.Types.Mixed, default: {} },
      netted: { type: Schema.Types.Mixed, default: {} },
    },
    { collection: 'coop_debts', versionKey: false, minimize: false },
  ),
);

/** Marker keys go into a path: no dots, no leading `$` (the database refuses them). */
export const markerKey = (key: string) => key.replace(/\./g, '_').replace(/^\$/, '_');

/**
 * Makes the co-op's debt document, once. A co-op that owed before this
 * document existed has its debt in the ledger only: the document starts
 * from those entries, each with its marker, so nothing is counted twice.
 */
async function ensureDebtDoc(coopId: string): Promise<void> {
  if (await CoopDebtModel.exists({ _id: coopId })) return;
  const entries = Types.ObjectId.isValid(coopId)
    ? await LedgerEntryModel.find(
        { coop: new Types.ObjectId(coopId), kind: trusted({ $in: ['owed', 'netted'] }) },
        { kind: 1, amount: 1 },
      ).lean()
    : [];
  const added: Record<string, number> = {};
  const netted: Record<string, number> = {};
  for (const e of entries) {
    if (e.kind === 'owed') added[markerKey(e._id.replace(/^owed:/, ''))] = -e.amount;
    else netted[markerKey(e._id.replace(/^netted:/, ''))] = e.amount;
  }
  const owed = Object.values(added).reduce((a, b) => a + b, 0) - Object.values(netted).reduce((a, b) => a + b, 0);
  try {
    // Not clamped: if older entries netted more than was owed, the page shows it rather than hiding it.
    await CoopDebtModel.collection.insertOne({ _id: coopId as never, owed, added, netted });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
}

/** What the co-op owes now, read from its debt document (0 when it never owed anything). */
export async function owedBy(coopId: string): Promise<number> {
  await ensureDebtDoc(coopId);
  return (await CoopDebtModel.findById(coopId, { owed: 1 }).lean())?.owed ?? 0;
}

/**
 * Adds `cents` to what the co-op owes, once per `key` (a repeat is a no-op).
 * Returns true when this call added it.
 */
export async function addDebt(coopId: string, key: string, cents: number): Promise<boolean> {
  if (!Number.isInteger(cents) || cents <= 0) return false;
  await ensureDebtDoc(coopId);
  const path = `added.${markerKey(key)}`;
  const r = await CoopDebtModel.updateOne(
    { _id: coopId, [path]: trusted({ $exists: false }) },
    { $inc: { owed: cents }, $set: { [path]: cents } },
  );
  return r.modifiedCount === 1;
}

/**
 * Takes up to `max` cents of the co-op's debt for the transfer `transferId`,
 * once: the first call claims min(owed, max) with one conditional update
 * (the claim and its marker in the same document); every later call, here
 * or in another process, gets the same amount back. When another claim wins
 * in between, it re-reads and tries again with what is left.
 */
export async function claimDebtForTransfer(coopId: string, transferId: string, max: number): Promise<number> {
  const path = `netted.${markerKey(transferId)}`;
  await ensureDebtDoc(coopId);
  for (let attempt = 0; attempt < 50; attempt++) {
    const debt = await CoopDebtModel.findById(coopId).lean();
    if (!debt) return 0;
    const done = debt.netted?.[markerKey(transferId)];
    if (typeof done === 'number') return done;
    const x = Math.min(debt.owed, Math.max(0, max));
    if (x <= 0) return 0;
    const r = await CoopDebtModel.updateOne(
      { _id: coopId, owed: trusted({ $gte: x }), [path]: trusted({ $exists: false }) },
      { $inc: { owed: -x }, $set: { [path]: x } },
    );
    if (r.modifiedCount === 1) return x;
  }
  throw new Error(`debt of co-op ${coopId} kept changing while netting ${transferId}`);
}

/** The amount already netted against a transfer (from its marker), or null when none was claimed. */
export async function nettedFor(coopId: string, transferId: string): Promise<number | null> {
  const debt = await CoopDebtModel.findById(coopId, { netted: 1 }).lean();
  const v = debt?.netted?.[markerKey(transferId)];
  return typeof v === 'number' ? v : null;
}
