import mongoose, { Schema, Types } from 'mongoose';
import { flagOrder, orderByPayment } from '../orders';
import { isDuplicateKey } from '../platform/claims';
import { audit } from '../platform/audit';
import { recordLedger } from './ledger.model';
import { TransferModel } from './transfer.model';
import { holdTransfer, type Transfers } from './transfers.service';

/**
 * A dispute on an order's charge, `_id` "dispute:<dp_…>". Inserted once when
 * `charge.dispute.created` arrives (repeats are no-ops); the outcome is
 * recorded when `charge.dispute.closed` arrives, never moved backwards.
 */
export interface DisputeDoc {
  _id: string;
  order: Types.ObjectId | null;
  orderNumber: string;
  chargeId: string;
  amount: number;
  reason: string;
  status: string;
  outcome: 'open' | 'won' | 'lost';
  heldTransfers: string[];
  createdAt: Date;
  updatedAt: Date;
}

export const DisputeModel = mongoose.model<DisputeDoc>(
  'Dispute',
  new Schema<DisputeDoc>(
    {
      _id: { type: String, required: true },
      order: { type: Schema.Types.ObjectId, ref: 'Order', default: null },
      orderNumber: { type: String, default: '' },
      chargeId: { type: String, default: '' },
      amount: { type: Number, default: 0 },
      reason: { type: String, default: '' },
      status: { type: String, default: '' },
      outcome: { type: String, enum: ['open', 'won', 'lost'], default: 'open' },
      heldTransfers: { type: [String], default: [] },
    },
    { collection: 'disputes', versionKey: false, timestamps: true },
  ),
);

const DISPUTE_HOLD = 'dispute';

export interface StripeDisputeObject {
  id?: string;
  charge?: string | { id?: string };
  payment_intent?: string | { id?: string } | null;
  amount?: number;
  reason?: string;
  status?: string;
}

const idOf = (v: unknown): string => (typeof v === 'string' ? v : ((v as { id?: string } | null)?.id ?? ''));

/**
 * `charge.dispute.created`: the order is flagged and every transfer of it
 * not sent yet is held (reason "dispute"), so no more money goes out until
 * the dispute closes. Transfers already sent are left for an admin to
 * reverse or not (the platform bears the dispute first, see STRIPE.md).
 */
export async function onDisputeCreated(object: StripeDisputeObject): Promise<DisputeDoc | null> {
  const id = `dispute:${object.id ?? ''}`;
  if (!object.id) return null;
  const chargeId = idOf(object.charge);
  // Disputes are rare: orders finds the order by its payment with a scan.
  const order = await orderByPayment({ chargeId, paymentIntentId: idOf(object.payment_intent) });
  try {
    await DisputeModel.create({
      _id: id,
      order: order?._id ?? null,
      orderNumber: order?.number ?? '',
      chargeId,
      amount: object.amount ?? 0,
      reason: object.reason ?? '',
      status: object.status ?? '',
    });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
  if (!order) return DisputeModel.findById(id).lean();
  // One single-document update: the flag is added once, whatever else writes the order.
  await flagOrder(order._id, 'disputed');
  const held: string[] = [];
  for (const t of await TransferModel.find({ order: order._id }, { _id: 1, status: 1 }).lean()) {
    if (t.status === 'sent' || t.status === 'reversed') continue;
    await holdTransfer(t._id, DISPUTE_HOLD).catch(() => undefined);
    held.push(t._id);
  }
  if (held.length) await DisputeModel.updateOne({ _id: id }, { $addToSet: { heldTransfers: { $each: held } } });
  await audit(null, 'dispute.created', `order:${String(order._id)}`, null, { dispute: object.id, amount: object.amount, held });
  return DisputeModel.findById(id).lean();
}

/**
 * `charge.dispute.closed`: records the outcome once. Lost: the amount is a
 * loss in the ledger (`dispute`). Won: the transfers held for the dispute
 * (and not held by an admin for another reason since) are released
 * (through `transfers`: they may go to the provider now).
 */
export async function onDisputeClosed(
  object: StripeDisputeObject,
  transfers: Pick<Transfers, 'releaseTransfer'>,
): Promise<DisputeDoc | null> {
  if (!object.id) return null;
  const id = `dispute:${object.id}`;
  let doc: DisputeDoc | null = await DisputeModel.findById(id).lean();
  if (!doc) doc = await onDisputeCreated(object);
  if (!doc || doc.outcome !== 'open') return doc;
  const outcome = object.status === 'won' ? 'won' : 'lost';
  await DisputeModel.updateOne({ _id: id, outcome: 'open' }, { $set: { outcome, status: object.status ?? '' } });
  if (outcome === 'lost' && doc.order) {
    await recordLedger({
      _id: id,
      kind: 'dispute',
      order: doc.order,
      orderNumber: doc.orderNumber,
      coop: null,
      amount: -(object.amount ?? doc.amount),
      stripeId: object.id,
    });
  }
  if (outcome === 'won') {
    for (const tid of doc.heldTransfers) {
      const t = await TransferModel.findById(tid, { status: 1, holdReason: 1 }).lean();
      if (t?.status === 'held' && t.holdReason === DISPUTE_HOLD) await transfers.releaseTransfer(tid).catch(() => undefined);
    }
  }
  await audit(
    null,
    'dispute.closed',
    doc.order ? `order:${String(doc.order)}` : id,
    { outcome: 'open' },
    { outcome, status: object.status },
  );
  return DisputeModel.findById(id).lean();
}
