import { Types } from 'mongoose';
import { CoopModel } from '../coops/coop.model';
import { trusted } from '../platform/db';
import { AppError, conflict, notFound } from '../platform/errors';
import { acquireLock, isDuplicateKey } from '../platform/lock';
import { registerSweeper } from '../platform/sweepers';
import { PaymentProviderError, type PaymentGateway } from '../payments/gateway';
import { recordLedger } from './ledger.model';
import { netOwedAgainstTransfer, owedBy } from './balances.service';
import { getPayoutSettings, type PayoutSettingsView } from './settings.service';
import { loadOrderForTransfers, type ShareForTransfer } from './transfer-order';
import { TransferModel, transferId, type TransferDoc, type TransferStatus } from './transfer.model';

export { transferId, TRANSFER_STATUSES, type TransferDoc, type TransferStatus } from './transfer.model';

let gateway: PaymentGateway | null = null;

/** The gateway transfers go through; set once by the app (payments routes) or by a test. */
export function setTransferGateway(g: PaymentGateway): void {
  gateway = g;
}

function requireGateway(): PaymentGateway {
  if (!gateway) throw new Error('no payment gateway for transfers (setTransferGateway)');
  return gateway;
}

/** Share states in which the goods have left the co-op (or reached the buyer). */
const SHIPPED_OR_LATER = new Set(['shipped', 'delivered', 'collected']);
const DELIVERED = new Set(['delivered', 'collected']);
const CANCELLED = new Set(['cancelled', 'refunded']);
const DONE = new Set<TransferStatus>(['sent', 'reversed']);
const DAY_MS = 86_400_000;
/** A retryable failure is tried again by the sweeper this many times at most. */
const MAX_AUTO_ATTEMPTS = 5;
/** Longer than a send lock lives (60 s), so nobody is still working on it. */
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
  const until = share.shippedAt ? new Date(new Date(share.shippedAt).getTime() + settings.holdDays * DAY_MS) : (knownHeldUntil ?? new Date(now.getTime() + settings.holdDays * DAY_MS));
  return { due: until.getTime() <= now.getTime(), heldUntil: until };
}

type Change = Partial<Pick<TransferDoc, 'status' | 'manualHold' | 'holdReason' | 'released' | 'heldUntil' | 'destination' | 'sourceTransaction' | 'stripeTransferId' | 'attempts' | 'lastError' | 'sentAt' | 'amountReversed'>>;

async function save(id: string, change: Change): Promise<void> {
  await TransferModel.updateOne({ _id: id }, { $set: change });
}

/**
 * Runs `fn` on the transfer while holding its lock, so only one process at a
 * time decides and sends (the lock is a unique insert: atomic on MongoDB and
 * FerretDB). When another process holds it for long, we leave the work to it.
 */
async function underLock<T>(id: string, fn: (doc: TransferDoc) => Promise<T>): Promise<T | TransferDoc | null> {
  let lock;
  try {
    lock = await acquireLock(`send:${id}`, { ttlMs: 60_000, waitMs: 5_000 });
  } catch (err) {
    if (err instanceof AppError && err.code === 'lock_busy') return TransferModel.findById(id).lean();
    throw err;
  }
  try {
    const doc = await TransferModel.findById(id).lean();
    if (!doc) return null;
    return await fn(doc);
  } finally {
    await lock.release();
  }
}

interface AdvanceHints {
  shareStatus?: string;
  settings?: PayoutSettingsView;
  now?: Date;
}

/**
 * Moves one transfer as far as it can go: waiting for the payment, held by
 * the policy or an admin, waiting for the co-op's account, or sent. Called
 * with its lock held; never moves a sent or reversed transfer.
 */
async function advanceLocked(doc: TransferDoc, hints: AdvanceHints = {}): Promise<TransferDoc> {
  const id = doc._id;
  const current = async () => (await TransferModel.findById(id).lean()) ?? doc;
  const set = async (change: Change) => {
    await save(id, change);
    return current();
  };
  if (DONE.has(doc.status)) return doc;
  if (doc.manualHold) return doc.status === 'held' ? doc : set({ status: 'held' });

  const order = await loadOrderForTransfers(String(doc.order));
  const share = order?.shares.find((s) => s.coopId === String(doc.coop));
  if (!order || !share) return doc;
  const shareStatus = hints.shareStatus ?? share.status;
  if (CANCELLED.has(shareStatus)) return set({ status: 'held', holdReason: 'share_cancelled' });
  if (!order.paid) return doc.status === 'waiting_payment' ? doc : set({ status: 'waiting_payment' });

  if (!doc.released) {
    const settings = hints.settings ?? (await getPayoutSettings());
    const { due, heldUntil } = policyDue(settings, { status: shareStatus, shippedAt: share.shippedAt }, hints.now, doc.heldUntil);
    if (!due) return set({ status: 'held', holdReason: 'policy', heldUntil });
  }

  const coop = await CoopModel.findById(doc.coop, { stripeAccountId: 1, payouts: 1 }).lean();
  if (!coop?.stripeAccountId || !coop.payouts?.transfersActive) {
    return doc.status === 'waiting_account' ? doc : set({ status: 'waiting_account' });
  }

  if (doc.amount <= 0) {
    // All of it was netted against what the co-op owed: nothing to send.
    return set({ status: 'sent', sentAt: new Date(), holdReason: 'netted', lastError: null });
  }
  const attempt = { status: 'pending' as const, destination: coop.stripeAccountId, sourceTransaction: order.chargeId, attempts: (doc.attempts ?? 0) + 1 };
  await save(id, attempt);
  try {
    const t = await requireGateway().createTransfer({
      amount: doc.amount,
      destination: coop.stripeAccountId,
      transferGroup: doc.orderNumber,
      sourceTransaction: order.chargeId,
      metadata: { orderId: String(doc.order), coopId: String(doc.coop), orderNumber: doc.orderNumber },
      // The same key on every attempt: a retry after a timeout cannot pay twice.
      idempotencyKey: id,
    });
    const sentAt = new Date();
    await save(id, { status: 'sent', stripeTransferId: t.id, sentAt, lastError: null, holdReason: '' });
    await recordLedger({ _id: id, kind: 'transfer', order: doc.order, orderNumber: doc.orderNumber, coop: doc.coop, amount: doc.amount, stripeId: t.id, at: sentAt });
  } catch (err) {
    const e = err instanceof PaymentProviderError ? err : new PaymentProviderError('unexpected', err instanceof Error ? err.message : String(err), true, { cause: err });
    await save(id, { status: 'failed', lastError: { code: e.code, message: e.message.slice(0, 500), retryable: e.retryable, at: new Date() } });
  }
  return current();
}

async function advance(id: string, hints?: AdvanceHints, before?: (doc: TransferDoc) => Promise<TransferDoc>): Promise<TransferDoc | null> {
  // What the co-op owes (a reversal it could not cover) comes off this transfer first;
  // it takes the same lock and skips transfers already sent, so it runs before ours.
  const pre = await TransferModel.findById(id, { coop: 1, status: 1 }).lean();
  if (pre && !DONE.has(pre.status) && (await owedBy(String(pre.coop))) > 0) {
    await netOwedAgainstTransfer(id).catch((err: unknown) => {
      if (!(err instanceof AppError && err.code === 'lock_busy')) throw err;
    });
  }
  const r = await underLock(id, async (doc) => advanceLocked(before ? await before(doc) : doc, hints));
  return r as TransferDoc | null;
}

/**
 * Creates one transfer per co-op share of a paid order and sends those that
 * are due. Once-only on any number of processes: each transfer's document
 * is claimed by a unique insert of "transfer:<orderId>:<coopId>", then moved
 * under its lock. Safe to call again (after payment, on retries, twice).
 */
export async function scheduleTransfersForOrder(orderId: string): Promise<TransferDoc[]> {
  const order = await loadOrderForTransfers(orderId);
  if (!order) throw notFound('order_not_found', 'No such order');
  const settings = await getPayoutSettings();
  const out: TransferDoc[] = [];
  for (const share of order.shares) {
    if (share.netDue <= 0) continue;
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
    const doc = await advance(id, { settings });
    if (doc) out.push(doc);
  }
  return out;
}

/** An admin sends a held (or waiting) transfer now, whatever the policy says. */
export async function releaseTransfer(id: string, actor?: string): Promise<TransferDoc> {
  const doc = await TransferModel.findById(id, { status: 1 }).lean();
  if (!doc) throw notFound('transfer_not_found', 'No such transfer');
  if (DONE.has(doc.status)) throw conflict('transfer_already_sent', 'This transfer has already been sent');
  const r = await advance(id, {}, async (d) => {
    await save(id, { released: true, manualHold: false, holdReason: actor ? `released by ${actor}` : '' });
    return { ...d, released: true, manualHold: false };
  });
  return r!;
}

/** An admin holds a transfer that has not gone yet; only `releaseTransfer` lets it go. */
export async function holdTransfer(id: string, reason: string, actor?: string): Promise<TransferDoc> {
  const r = await underLock(id, async (doc) => {
    if (DONE.has(doc.status)) throw conflict('transfer_already_sent', 'This transfer has already been sent');
    await save(id, { manualHold: true, released: false, status: 'held', holdReason: (reason || (actor ? `held by ${actor}` : 'held')).slice(0, 300) });
    return (await TransferModel.findById(id).lean())!;
  });
  if (!r) throw notFound('transfer_not_found', 'No such transfer');
  return r as TransferDoc;
}

/** Tries a failed transfer again, with the same idempotency key. */
export async function retryTransfer(id: string, _actor?: string): Promise<TransferDoc> {
  const doc = await TransferModel.findById(id, { status: 1 }).lean();
  if (!doc) throw notFound('transfer_not_found', 'No such transfer');
  if (DONE.has(doc.status)) throw conflict('transfer_already_sent', 'This transfer has already been sent');
  return (await advance(id))!;
}

/**
 * A co-op share changed state (shipped, delivered…): its transfer is
 * re-checked against the hold policy and sent when due.
 */
export async function onShareFulfilmentChanged(shareId: string, status: string): Promise<TransferDoc[]> {
  const docs = await TransferModel.find({ share: shareId }, { _id: 1 }).lean();
  const out: TransferDoc[] = [];
  for (const d of docs) {
    const r = await advance(d._id, { shareStatus: status }, async (doc) => {
      // Remember when the clock started for "N days after shipping" when the order does not say.
      if (status === 'shipped' && !doc.heldUntil) {
        const settings = await getPayoutSettings();
        const heldUntil = new Date(Date.now() + settings.holdDays * DAY_MS);
        if (settings.holdPolicy === 'on_delivered_or_days') {
          await save(doc._id, { heldUntil });
          return { ...doc, heldUntil };
        }
      }
      return doc;
    });
    if (r) out.push(r);
  }
  return out;
}

/** The co-op's account can receive transfers now (or changed): send what was waiting for it. */
export async function onCoopAccountReady(coopId: string): Promise<TransferDoc[]> {
  const docs = await TransferModel.find({ coop: new Types.ObjectId(coopId), status: trusted({ $in: ['waiting_account', 'failed'] }) }, { _id: 1, status: 1, lastError: 1 }).lean();
  const out: TransferDoc[] = [];
  for (const d of docs) {
    if (d.status === 'failed' && !['transfers_not_allowed', 'account_invalid'].includes(d.lastError?.code ?? '')) continue;
    const r = await advance(d._id);
    if (r) out.push(r);
  }
  return out;
}

/**
 * Records what Stripe says was reversed of a transfer. Never moves
 * backwards: the amount reversed only grows; in full → "reversed".
 */
export async function recordTransferReversal(stripeTransferId: string, amountReversed: number, metadata: { orderId?: string; coopId?: string } = {}): Promise<TransferDoc | null> {
  let id: string | undefined;
  if (metadata.orderId && metadata.coopId) id = transferId(metadata.orderId, metadata.coopId);
  if (!id || !(await TransferModel.exists({ _id: id }))) id = (await TransferModel.findOne({ stripeTransferId }, { _id: 1 }).lean())?._id;
  if (!id) return null;
  const r = await underLock(id, async (doc) => {
    const reversed = Math.max(doc.amountReversed ?? 0, amountReversed);
    if (reversed === doc.amountReversed && (doc.status === 'reversed' || reversed < doc.amount)) return doc;
    await save(doc._id, { amountReversed: reversed, ...(reversed >= doc.amount && doc.status === 'sent' ? { status: 'reversed' as const } : {}) });
    return (await TransferModel.findById(doc._id).lean())!;
  });
  return r as TransferDoc | null;
}

/**
 * The periodic pass (a sweeper): held transfers whose "N days after
 * shipping" has passed, retryable failures, and transfers left "pending"
 * or "waiting_payment" by a process that stopped half-way (their lock has
 * expired; the same idempotency key makes a second attempt safe).
 */
export async function sendDueTransfers(now = new Date()): Promise<number> {
  const ago = (ms: number) => trusted({ $lte: new Date(now.getTime() - ms) });
  const held = await TransferModel.find({ status: 'held', manualHold: false, heldUntil: trusted({ $lte: now }) }, { _id: 1 }).limit(200).lean();
  const failed = await TransferModel.find({ status: 'failed', attempts: trusted({ $lt: MAX_AUTO_ATTEMPTS }), updatedAt: ago(60_000) }, { _id: 1, lastError: 1 }).limit(200).lean();
  const stuck = await TransferModel.find({ status: trusted({ $in: ['pending', 'waiting_payment'] }), updatedAt: ago(STUCK_AFTER_MS) }, { _id: 1 }).limit(200).lean();
  let n = 0;
  for (const d of [...held, ...failed.filter((f) => f.lastError?.retryable), ...stuck]) {
    const r = await advance(d._id, { now });
    if (r?.status === 'sent') n++;
  }
  return n;
}

/** Transfers for the admin pages and a co-op's money page. */
export async function listTransfers(filter: { status?: TransferStatus; coopId?: string; orderId?: string } = {}, limit = 200): Promise<TransferDoc[]> {
  const q: Record<string, unknown> = {};
  if (filter.status) q.status = filter.status;
  if (filter.coopId) q.coop = new Types.ObjectId(filter.coopId);
  if (filter.orderId) q.order = new Types.ObjectId(filter.orderId);
  return TransferModel.find(q).sort({ updatedAt: -1 }).limit(limit).lean();
}

export async function getTransfer(id: string): Promise<TransferDoc | null> {
  return TransferModel.findById(id).lean();
}

// Held transfers whose time has come and retryable failures; idempotent, so every process may run it.
registerSweeper({ name: 'transfers-due', everyMs: 5 * 60_000, run: () => sendDueTransfers() });
