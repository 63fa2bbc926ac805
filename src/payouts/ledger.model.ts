import mongoose, { Schema, type Types } from 'mongoose';

/**
 * Every movement of money, as signed cents from the platform's point of view
 * per party. Kinds:
 * - charge: the buyer paid the platform (+amount, party platform)
 * - stripe_fee: Stripe's fee on the charge (−amount, party platform), when known
 * - commission: what the platform keeps of a co-op share (informational split)
 * - transfer: platform → co-op (party coop, +amount to the co-op)
 * - reversal: co-op → platform (party coop, −amount to the co-op)
 * - refund: platform → buyer (−amount, party platform)
 * - owed / netted: a co-op owes the platform (reversal not possible), and that debt netted against a later transfer
 * - discount: what the platform gives of a co-op share in a discount it funds (−amount, party the share's co-op,
 *   `note` the codes): with the commission it makes the platform's take on the share, which may be negative;
 *   a refund takes it back in proportion (+amount)
 * - coop_discount: what a co-op gives in a discount it funds (−amount, party coop), informational like the
 *   commission: its net is already lower by it, so it moves no money of the platform's
 * Entries are inserted once, keyed by `_id` derived from what happened
 * (e.g. "transfer:<orderId>:<coopId>"), so recording the same event twice
 * is a duplicate-key no-op.
 */
export const LEDGER_KINDS = [
  'charge',
  'stripe_fee',
  'commission',
  'discount',
  'coop_discount',
  'transfer',
  'reversal',
  'refund',
  'owed',
  'netted',
  'dispute',
] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

export interface LedgerEntry {
  _id: string;
  kind: LedgerKind;
  order?: Types.ObjectId;
  orderNumber?: string;
  coop?: Types.ObjectId | null;
  amount: number;
  currency: string;
  stripeId?: string;
  note?: string;
  at: Date;
}

const schema = new Schema<LedgerEntry>(
  {
    _id: { type: String, required: true },
    kind: { type: String, enum: LEDGER_KINDS, required: true },
    order: { type: Schema.Types.ObjectId, ref: 'Order' },
    orderNumber: String,
    coop: { type: Schema.Types.ObjectId, ref: 'Coop', default: null },
    amount: { type: Number, required: true, validate: Number.isInteger },
    currency: { type: String, default: 'eur' },
    stripeId: String,
    note: String,
    at: { type: Date, required: true },
  },
  { collection: 'ledger', versionKey: false },
);
schema.index({ order: 1 });
schema.index({ coop: 1, at: -1 });
schema.index({ kind: 1, at: -1 });

export const LedgerEntryModel = mongoose.model<LedgerEntry>('LedgerEntry', schema);

/** Records entries once each: an entry whose `_id` exists is skipped. */
export async function recordLedger(
  entries:
    | (Omit<LedgerEntry, 'currency' | 'at'> & Partial<Pick<LedgerEntry, 'currency' | 'at'>>)
    | (Omit<LedgerEntry, 'currency' | 'at'> & Partial<Pick<LedgerEntry, 'currency' | 'at'>>)[],
): Promise<void> {
  const list = (Array.isArray(entries) ? entries : [entries]).map((e) => ({ currency: 'eur', at: new Date(), ...e }));
  if (!list.length) return;
  try {
    await LedgerEntryModel.insertMany(list, { ordered: false });
  } catch (err) {
    const e = err as { code?: number; writeErrors?: { code?: number; err?: { code?: number } }[] };
    const dupOnly = e.code === 11000 || (e.writeErrors?.length && e.writeErrors.every((w) => (w.code ?? w.err?.code) === 11000));
    if (!dupOnly) throw err;
  }
}
