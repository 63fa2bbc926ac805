import { Types } from 'mongoose';
import { findCoop } from '../coops';
import { trusted } from '../platform/db';
import { conflict, notFound } from '../platform/errors';
import { isDuplicateKey } from '../platform/claims';
import { PaymentProviderError, type PaymentGateway } from '../payments';
import { recordLedger } from './ledger.model';
import { claimDebtForTransfer, markerKey } from './debt.model';
import { getPayoutSettings, type PayoutSettingsView } from './settings.service';
import { loadOrderForTransfers, type ShareForTransfer } from './transfer-order';
import { TransferModel, transferId, type TransferDoc, type TransferStatus } from './transfer.model';

export { transferId, TRANSFER_STATUSES, type TransferDoc, type TransferStatus } from './transfer.model';

/** Share states in which the goods have left the co-op (or reached the buyer). */
const SHIPPED_OR_LATER = new Set(['shipped', 'delivered', 'collected']);
const DELIVERED = new Set(['delivered', 'collected']);
const CANCELLED = new Set(['cancelled', 'refunded']);
const DONE = new Set<TransferStatus>(['sent', 'reversed']);
const DAY_MS = 86_400_000;
/** A retryable failure is tried again by the periodic job this many times at most. */
const MAX_AUTO_ATTEMPTS = 5;
/** Far longer than a Stripe call can take (10 s, two retries), so nobody is still working on it. */
const STUCK_AFTER_MS = 5 * 60_000;

/**
 * Is the share's money due under the hold policy? For "delivered or N days
 * after shipping" it also says from when (`heldUntil`).
 */
export function policyDue(
  settings: PayoutSettingsView,
  share: Pick<ShareForTransfer, 'status' | 'shippedAt'>,
  now = new Date(),
  knownHeldUntil?: Date | null,
): { due: boolean; heldUntil: Date | null } {
  if (settings.holdPolicy === 'immediate') return { due: true, heldUntil: null };
  if (settings.holdPolicy === 'on_shipped') return { due: SHIPPED_OR_LATER.has(share.status), heldUntil: null };
  if (DELIVERED.has(share.status)) return { due: true, heldUntil: null };
  if (share.status !== 'shipped') return { due: false, heldUntil: null };
  const until = share.shippedAt
    ? new Date(new Date(share.shippedAt).getTime() + settings.holdDays * DAY_MS)
    : (knownHeldUntil ?? new Date(now.getTime() + settings.holdDays * DAY_MS));
  return { due: until.getTime() <= now.getTime(), heldUntil: until };
}

type Change = Partial<
  Pick<
    TransferDoc,
    | 'status'
    | 'manualHold'
    | 'holdReason'
    | 'released'
    | 'heldUntil'
    | 'destination'
    | 'sourceTransaction'
    | 'stripeTransferId'
    | 'attempts'
    | 'lastError'
    | 'sentAt'
    | 'amountReversed'
  >
>;

/** States from which an attempt may be claimed (and to which the policy may move a transfer). */
const OPEN: TransferStatus[] = ['waiting_payment', 'held', 'waiting_account', 'failed'];

/**
 * Moves the transfer to a new state only if it is still in one of `from`
 * (one conditional update of its document): of two processes deciding at
 * once, the second finds the state changed and does nothing.
 */
async function move(id: string, from: TransferStatus[], change: Change): Promise<boolean> {
  const r = await TransferModel.updateOne({ _id: id, status: trusted({ $in: from }) }, { $set: change });
  return r.matchedCount === 1;
}

/**
 * Fixes the transfer's amount for good, before its first attempt: freezes
 * it (refunds stop taking their part off it, see `cutUnfixedTransfer`),
 * takes what the co-op owes off it (one claim on the co-op's debt document,
 * keyed by this transfer), records the netting in the ledger, then writes
 * the final amount once (`fixedAt: null` → now). Each step is safe to run
 * again: a process stopped between them leaves a transfer that the same
 * call finishes with the same figures. Returns the cents netted by this call.
 */
export async function fixTransferAmount(id: string): Promise<number> {
  let doc = await TransferModel.findById(id).lean();
  if (!doc || doc.fixedAt || DONE.has(doc.status)) return 0;
  if (!doc.frozen) {
    await TransferModel.updateOne({ _id: id, frozen: trusted({ $ne: true }) }, { $set: { frozen: true } });
    doc = (await TransferModel.findById(id).lean())!;
    if (doc.fixedAt) return 0;
  }
  const x = await claimDebtForTransfer(String(doc.coop), id, doc.amount);
  if (x > 0)
    await recordLedger({
      _id: `netted:${id}`,
      kind: 'netted',
      order: doc.order,
      orderNumber: doc.orderNumber,
      coop: doc.coop,
      amount: x,
      note: `from:${doc.amount}`,
    });
  const r = await TransferModel.updateOne({ _id: id, fixedAt: null }, { $set: { fixedAt: new Date(), netted: x, amount: doc.amount - x } });
  return r.matchedCount === 1 ? x : 0;
}

/**
 * A refund's part taken off a transfer that has not been fixed yet: its
 * amount goes down by up to `cents`, once per `key` (a repeat returns the
 * same figure), so nothing has to be reversed or owed for it. Returns 0 once
 * the transfer is frozen: from then on Stripe may have it, and the refund
 * reverses it or records a debt instead.
 */
export async function cutUnfixedTransfer(id: string, key: string, cents: number): Promise<number> {
  const path = `cuts.${markerKey(key)}`;
  for (let attempt = 0; attempt < 20; attempt++) {
    const doc = await TransferModel.findById(id, { amount: 1, frozen: 1, fixedAt: 1, status: 1, cuts: 1 }).lean();
    if (!doc) return 0;
    const done = doc.cuts?.[markerKey(key)];
    if (typeof done === 'number') return done;
    if (doc.frozen || doc.fixedAt || DONE.has(doc.status) || doc.status === 'pending') return 0;
    const x = Math.min(cents, doc.amount);
    if (x <= 0) return 0;
    const r = await TransferModel.updateOne(
      { _id: id, frozen: trusted({ $ne: true }), fixedAt: null, amount: trusted({ $gte: x }), [path]: trusted({ $exists: false }) },
      { $inc: { amount: -x }, $set: { [path]: x } },
    );
    if (r.matchedCount === 1) return x;
  }
  return 0;
}

/**
 * Claims up to `cents` of a sent transfer for a reversal, once per `key`:
 * two refunds at once never take back more than the transfer holds.
 * Returns the cents claimed (the same figure on a repeat).
 */
export async function claimReversal(id: string, key: string, cents: number): Promise<number> {
  const path = `reversalClaims.${markerKey(key)}`;
  for (let attempt = 0; attempt < 20; attempt++) {
    const t = await TransferModel.findById(id, {
      amount: 1,
      status: 1,
      stripeTransferId: 1,
      reversalClaimed: 1,
      reversalClaims: 1,
      amountReversed: 1,
    }).lean();
    if (!t) return 0;
    const done = t.reversalClaims?.[markerKey(key)];
    if (typeof done === 'number') return done;
    if (!t.stripeTransferId || !DONE.has(t.status)) return 0;
    // Older transfers know only what was reversed, not what was claimed: never past either.
    const x = Math.min(cents, t.amount - (t.reversalClaimed ?? 0), t.amount - (t.amountReversed ?? 0));
    if (x <= 0) return 0;
    const r = await TransferModel.updateOne(
      { _id: id, amount: t.amount, reversalClaimed: trusted({ $lte: t.amount - x }), [path]: trusted({ $exists: false }) },
      { $inc: { reversalClaimed: x }, $set: { [path]: x } },
    );
    if (r.matchedCount === 1) return x;
  }
  return 0;
}

/**
 * A reversal Stripe made for one of our refunds: recorded once under its
 * key, and the transfer's amount reversed becomes at least the sum of them
 * (a webhook may have told us more already: it only grows).
 */
export async function recordOwnReversal(id: string, key: string, cents: number): Promise<TransferDoc | null> {
  await TransferModel.updateOne({ _id: id }, { $set: { [`reversalsDone.${markerKey(key)}`]: cents } });
  const t = await TransferModel.findById(id, { stripeTransferId: 1, reversalsDone: 1, order: 1, coop: 1 }).lean();
  if (!t?.stripeTransferId) return null;
  const total = Object.values(t.reversalsDone ?? {}).reduce((a, b) => a + b, 0);
  return recordTransferReversal(t.stripeTransferId, total, { orderId: String(t.order), coopId: String(t.coop) });
}

/** Gives back a reversal claim that Stripe refused, once (its marker goes to 0). */
export async function releaseReversal(id: string, key: string, cents: number): Promise<void> {
  const path = `reversalClaims.${markerKey(key)}`;
  await TransferModel.updateOne({ _id: id, [path]: cents }, { $inc: { reversalClaimed: -cents }, $set: { [path]: 0 } });
}

/**
 * Writes one transfer document per co-op share of the order that has none
 * yet, without moving any: the unique insert of
 * "transfer:<orderId>:<coopId>" is the once-only claim. Returns their ids.
 */
export async function ensureTransfers(orderId: string): Promise<string[]> {
  const order = await loadOrderForTransfers(orderId);
  if (!order) throw notFound('order_not_found', 'No such order');
  const ids: string[] = [];
  for (const share of order.shares) {
    // A cancelled share (its order refunded because it was paid after it was cancelled) was never the co-op's.
    if (share.netDue <= 0 || share.status === 'cancelled') continue;
    const id = transferId(order.orderId, share.coopId);
    try {
      await TransferModel.create({
        _id: id,
        order: new Types.ObjectId(order.orderId),
        orderNumber: order.orderNumber,
        coop: new Types.ObjectId(share.coopId),
        share: share.shareId,
        amount: share.netDue,
        currency: order.currency || 'eur',
        status: 'waiting_payment',
      });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    ids.push(id);
  }
  return ids;
}

/** An admin holds a transfer that has not gone yet; only `releaseTransfer` lets it go. */
export async function holdTransfer(id: string, reason: string, actor?: string): Promise<TransferDoc> {
  const holdReason = (reason || (actor ? `held by ${actor}` : 'held')).slice(0, 300);
  const r = await TransferModel.updateOne(
    { _id: id, status: trusted({ $in: OPEN }) },
    { $set: { manualHold: true, released: false, status: 'held', holdReason } },
  );
  const doc = await TransferModel.findById(id).lean();
  if (!doc) throw notFound('transfer_not_found', 'No such transfer');
  if (r.matchedCount === 0) {
    if (DONE.has(doc.status)) throw conflict('transfer_already_sent', 'This transfer has already been sent');
    // Being sent right now: Stripe may already have it, so it can no longer be held.
    throw conflict('transfer_in_flight', 'This transfer is being sent');
  }
  return doc;
}

/**
 * Records what Stripe says was reversed of a transfer. Never moves
 * backwards: the amount reversed only grows (`$max`); in full → "reversed".
 */
export async function recordTransferReversal(
  stripeTransferId: string,
  amountReversed: number,
  metadata: { orderId?: string; coopId?: string } = {},
): Promise<TransferDoc | null> {
  let id: string | undefined;
  if (metadata.orderId && metadata.coopId) id = transferId(metadata.orderId, metadata.coopId);
  if (!id || !(await TransferModel.exists({ _id: id }))) id = (await TransferModel.findOne({ stripeTransferId }, { _id: 1 }).lean())?._id;
  if (!id) return null;
  await TransferModel.updateOne({ _id: id }, { $max: { amountReversed } });
  const doc = await TransferModel.findById(id).lean();
  if (doc && doc.status === 'sent' && doc.amountReversed > 0 && doc.amountReversed >= doc.amount) {
    await move(id, ['sent'], { status: 'reversed' });
    return TransferModel.findById(id).lean();
  }
  return doc;
}

interface AdvanceHints {
  shareStatus?: string;
  settings?: PayoutSettingsView;
  now?: Date;
  /** The periodic job: a transfer left "pending" before this time was abandoned by a stopped process. */
  stuckBefore?: Date;
}

export interface TransfersDeps {
  /** The provider transfers go through (Stripe, or the demo provider). */
  gateway: PaymentGateway;
}

/**
 * The transfers that reach the provider: moving a transfer on (held,
 * waiting, sent) and everything that may send one. Built from its gateway
 * by createPayouts (tests build their own); the reads and the once-only
 * steps that never call the provider are plain functions of this module.
 */
export function createTransfers(deps: TransfersDeps) {
  const { gateway } = deps;

  /**
   * Moves one transfer as far as it can go: waiting for the payment, held by
   * the policy or an admin, waiting for the co-op's account, or sent. Every
   * write is a conditional update of the transfer's own document; a process
   * that loses a race re-reads and decides again (a few rounds at most).
   * Never moves a sent or reversed transfer. A transfer whose amount is fixed
   * (it may already be at Stripe) is finished whatever happens to its order.
   */
  async function advance(id: string, hints: AdvanceHints = {}): Promise<TransferDoc | null> {
    for (let round = 0; round < 5; round++) {
      const doc = await TransferModel.findById(id).lean();
      if (!doc) return null;
      if (!(await step(doc, hints))) return (await TransferModel.findById(id).lean()) ?? doc;
    }
    return TransferModel.findById(id).lean();
  }

  /** One decision on the transfer; true when its state changed under us and it should be read again. */
  async function step(doc: TransferDoc, hints: AdvanceHints): Promise<boolean> {
    const id = doc._id;
    if (DONE.has(doc.status)) return false;
    const stuck = doc.status === 'pending' && !!hints.stuckBefore && doc.updatedAt <= hints.stuckBefore;
    // Someone is sending it right now.
    if (doc.status === 'pending' && !stuck) return false;
    if (doc.manualHold) return doc.status === 'held' ? false : !(await move(id, OPEN, { status: 'held' }));

    if (!doc.fixedAt && (doc.status === 'pending' || (doc.attempts ?? 0) > 0)) {
      // Attempted before amounts were fixed (older data): Stripe may have this amount, so it is fixed as it is.
      await TransferModel.updateOne({ _id: id, fixedAt: null }, { $set: { fixedAt: new Date(), frozen: true } }, { timestamps: false });
      return true;
    }
    const fixed = !!doc.fixedAt;
    const order = await loadOrderForTransfers(String(doc.order));
    const share = order?.shares.find((s) => s.coopId === String(doc.coop));
    if (!order || !share) return false;
    if (!fixed) {
      const shareStatus = hints.shareStatus ?? share.status;
      if (CANCELLED.has(shareStatus))
        return doc.status === 'held' && doc.holdReason === 'share_cancelled'
          ? false
          : !(await move(id, OPEN, { status: 'held', holdReason: 'share_cancelled' }));
      if (!order.paid) return doc.status === 'waiting_payment' ? false : !(await move(id, OPEN, { status: 'waiting_payment' }));
      if (!doc.released) {
        const settings = hints.settings ?? (await getPayoutSettings());
        const { due, heldUntil } = policyDue(settings, { status: shareStatus, shippedAt: share.shippedAt }, hints.now, doc.heldUntil);
        if (!due) return !(await move(id, OPEN, { status: 'held', holdReason: 'policy', heldUntil }));
      }
    }

    const coop = await findCoop(doc.coop);
    if (!coop?.stripeAccountId || !coop.payouts?.transfersActive) {
      return doc.status === 'waiting_account' ? false : !(await move(id, stuck ? ['pending'] : OPEN, { status: 'waiting_account' }));
    }

    if (!fixed) {
      // Due and payable: the amount is fixed now, before the first attempt, then read again.
      await fixTransferAmount(id);
      return true;
    }

    // Claim the attempt: one conditional update, so only one process calls Stripe.
    const from: Record<string, unknown>[] = [{ status: trusted({ $in: OPEN }) }];
    // An abandoned attempt is taken over by whoever still sees it exactly as it was left.
    if (stuck) from.push({ status: 'pending', updatedAt: doc.updatedAt });
    const claimed = await TransferModel.findOneAndUpdate(
      { _id: id, manualHold: trusted({ $ne: true }), fixedAt: trusted({ $ne: null }), $or: from },
      {
        $set: { status: 'pending', destination: coop.stripeAccountId, sourceTransaction: order.chargeId, lastError: null },
        $inc: { attempts: 1 },
      },
      { returnDocument: 'after' },
    ).lean();
    if (!claimed) return false;
    if (claimed.amount <= 0) {
      // All of it was netted against what the co-op owed: nothing to send.
      await move(id, ['pending'], { status: 'sent', sentAt: new Date(), holdReason: 'netted', lastError: null });
      return false;
    }
    try {
      const t = await gateway.createTransfer({
        // The amount fixed before the first attempt, and the same key on every attempt: a retry cannot pay twice or differently.
        amount: claimed.amount,
        destination: coop.stripeAccountId,
        transferGroup: claimed.orderNumber,
        sourceTransaction: order.chargeId,
        metadata: { orderId: String(claimed.order), coopId: String(claimed.coop), orderNumber: claimed.orderNumber },
        idempotencyKey: id,
      });
      const sentAt = new Date();
      await recordLedger({
        _id: id,
        kind: 'transfer',
        order: claimed.order,
        orderNumber: claimed.orderNumber,
        coop: claimed.coop,
        amount: claimed.amount,
        stripeId: t.id,
        at: sentAt,
      });
      await move(id, ['pending', ...OPEN], { status: 'sent', stripeTransferId: t.id, sentAt, lastError: null, holdReason: '' });
    } catch (err) {
      const e =
        err instanceof PaymentProviderError
          ? err
          : new PaymentProviderError('unexpected', err instanceof Error ? err.message : String(err), true, { cause: err });
      await move(id, ['pending'], {
        status: 'failed',
        lastError: { code: e.code, message: e.message.slice(0, 500), retryable: e.retryable, at: new Date() },
      });
    }
    return false;
  }

  /**
   * Creates one transfer per co-op share of a paid order and sends those that
   * are due. Once-only on any number of processes (see `ensureTransfers`),
   * then moved by conditional updates. Safe to call again (after payment, on
   * retries, twice).
   */
  async function scheduleTransfersForOrder(orderId: string): Promise<TransferDoc[]> {
    const ids = await ensureTransfers(orderId);
    const settings = await getPayoutSettings();
    const out: TransferDoc[] = [];
    for (const id of ids) {
      const doc = await advance(id, { settings });
      if (doc) out.push(doc);
    }
    return out;
  }

  /** An admin sends a held (or waiting) transfer now, whatever the policy says. */
  async function releaseTransfer(id: string, actor?: string): Promise<TransferDoc> {
    const doc = await TransferModel.findById(id, { status: 1 }).lean();
    if (!doc) throw notFound('transfer_not_found', 'No such transfer');
    if (DONE.has(doc.status)) throw conflict('transfer_already_sent', 'This transfer has already been sent');
    await TransferModel.updateOne(
      { _id: id, status: trusted({ $nin: [...DONE] }) },
      { $set: { released: true, manualHold: false, holdReason: actor ? `released by ${actor}` : '' } },
    );
    return (await advance(id))!;
  }

  /** Tries a failed transfer again, with the same idempotency key and the same amount. */
  async function retryTransfer(id: string, _actor?: string): Promise<TransferDoc> {
    const doc = await TransferModel.findById(id, { status: 1 }).lean();
    if (!doc) throw notFound('transfer_not_found', 'No such transfer');
    if (DONE.has(doc.status)) throw conflict('transfer_already_sent', 'This transfer has already been sent');
    return (await advance(id))!;
  }

  /**
   * A co-op share changed state (shipped, delivered…): its transfer is
   * re-checked against the hold policy and sent when due.
   */
  async function onShareFulfilmentChanged(shareId: string, status: string): Promise<TransferDoc[]> {
    const docs = await TransferModel.find({ share: shareId }, { _id: 1 }).lean();
    const out: TransferDoc[] = [];
    for (const d of docs) {
      // Remember when the clock started for "N days after shipping" when the order does not say (once: only if not set).
      if (status === 'shipped') {
        const settings = await getPayoutSettings();
        if (settings.holdPolicy === 'on_delivered_or_days')
          await TransferModel.updateOne(
            { _id: d._id, heldUntil: null },
            { $set: { heldUntil: new Date(Date.now() + settings.holdDays * DAY_MS) } },
          );
      }
      const r = await advance(d._id, { shareStatus: status });
      if (r) out.push(r);
    }
    return out;
  }

  /** The co-op's account can receive transfers now (or changed): send what was waiting for it. */
  async function onCoopAccountReady(coopId: string): Promise<TransferDoc[]> {
    const docs = await TransferModel.find(
      { coop: new Types.ObjectId(coopId), status: trusted({ $in: ['waiting_account', 'failed'] }) },
      { _id: 1, status: 1, lastError: 1 },
    ).lean();
    const out: TransferDoc[] = [];
    for (const d of docs) {
      if (d.status === 'failed' && !['transfers_not_allowed', 'account_invalid'].includes(d.lastError?.code ?? '')) continue;
      const r = await advance(d._id);
      if (r) out.push(r);
    }
    return out;
  }

  /**
   * The periodic pass (the `transfers-due` job): held transfers whose "N days after
   * shipping" has passed, retryable failures, and transfers left "pending"
   * or "waiting_payment" by a process that stopped half-way (the same
   * idempotency key and the fixed amount make a second attempt safe).
   */
  async function sendDueTransfers(now = new Date()): Promise<number> {
    const ago = (ms: number) => trusted({ $lte: new Date(now.getTime() - ms) });
    const held = await TransferModel.find({ status: 'held', manualHold: false, heldUntil: trusted({ $lte: now }) }, { _id: 1 })
      .limit(200)
      .lean();
    const failed = await TransferModel.find(
      { status: 'failed', attempts: trusted({ $lt: MAX_AUTO_ATTEMPTS }), updatedAt: ago(60_000) },
      { _id: 1, lastError: 1 },
    )
      .limit(200)
      .lean();
    const stuck = await TransferModel.find(
      { status: trusted({ $in: ['pending', 'waiting_payment'] }), updatedAt: ago(STUCK_AFTER_MS) },
      { _id: 1 },
    )
      .limit(200)
      .lean();
    const stuckBefore = new Date(now.getTime() - STUCK_AFTER_MS);
    let n = 0;
    for (const d of [...held, ...failed.filter((f) => f.lastError?.retryable), ...stuck]) {
      const r = await advance(d._id, { now, stuckBefore });
      if (r?.status === 'sent') n++;
    }
    return n;
  }

  return { scheduleTransfersForOrder, releaseTransfer, retryTransfer, onShareFulfilmentChanged, onCoopAccountReady, sendDueTransfers };
}

export type Transfers = ReturnType<typeof createTransfers>;

/** Transfers for the admin pages and a co-op's money page. */
export async function listTransfers(
  filter: { status?: TransferStatus; coopId?: string; orderId?: string } = {},
  limit = 200,
): Promise<TransferDoc[]> {
  const q: Record<string, unknown> = {};
  if (filter.status) q.status = filter.status;
  if (filter.coopId) q.coop = new Types.ObjectId(filter.coopId);
  if (filter.orderId) q.order = new Types.ObjectId(filter.orderId);
  return TransferModel.find(q).sort({ updatedAt: -1 }).limit(limit).lean();
}

export async function getTransfer(id: string): Promise<TransferDoc | null> {
  return TransferModel.findById(id).lean();
}
