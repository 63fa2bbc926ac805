import { Types } from 'mongoose';
import { findCoops } from '../coops';
import { getOrder, markRefunded, sharePaid, sharesForOrder, type Order, type OrderLine } from '../orders';
import { restockForRefund, stockChanged, stockId } from '../catalog';
import { PaymentProviderError, type PaymentGateway } from '../payments';
import { AppError, notFound } from '../platform/errors';
import { trusted } from '../platform/db';
import { isDuplicateKey } from '../platform/claims';
import { allocate, ivaIncluded } from '../platform/money';
import { sendTemplate, type Mailer } from '../platform/mail';
import { audit } from '../platform/audit';
import { recordLedger } from './ledger.model';
import { recordOrderPaymentLedger } from './balances.service';
import { addDebt, markerKey } from './debt.model';
import { RefundModel, type IvaPart, type RefundCoopPart, type RefundDoc } from './refund.model';
import { RefundTallyModel, coopKey, lineKey, type RefundTallyDoc, type TallyCoop } from './refund-tally.model';
import { TransferModel, transferId } from './transfer.model';
import { claimReversal, cutUnfixedTransfer, ensureTransfers, recordOwnReversal, releaseReversal } from './transfers.service';

export interface RefundDeps {
  gateway: PaymentGateway;
  mailer?: Mailer;
  /** Mail and restock come after the money and never undo it; their errors are reported here. */
  onError?: (err: unknown) => void;
}

export interface RefundRequest {
  orderId: string;
  /** From the confirmation form: the same request id twice is the same refund. */
  requestId: string;
  reason: string;
  mode: 'lines' | 'amounts';
  lines?: { index: number; quantity: number }[];
  amounts?: { coopId: string; cents: number }[];
  /** With `lines`: shipping refunded per co-op (all or part of what remains of it). */
  shipping?: { coopId: string; cents: number }[];
  returnStock?: boolean;
}

export interface RefundableCoop {
  coopId: string;
  name: string;
  /** What the buyer paid for this co-op's part (after discounts). */
  gross: number;
  net: number;
  /** The platform's own discount on this part (taken back in proportion by refunds). */
  platformDiscount: number;
  /** Shipping the buyer paid (after a free-shipping discount). */
  shipping: number;
  refunded: number;
  shippingRefunded: number;
  shippingRemaining: number;
  remaining: number;
  reversedOrOwed: number;
}

export interface RefundableLine {
  index: number;
  coopId: string;
  name: { it: string; en: string };
  unitCents: number;
  quantity: number;
  /** What the buyer paid for the whole line (after its discounts). */
  paidCents: number;
  refundedQty: number;
  remainingQty: number;
}

/**
 * What `quantity` more units of a line refund after `refundedQty`: the
 * line's paid price in proportion, rounded down until the last unit, which
 * takes the rest, so refunding every unit returns exactly what was paid.
 */
export function lineRefundCents(line: Pick<RefundableLine, 'paidCents' | 'quantity'>, refundedQty: number, quantity: number): number {
  const upTo = (k: number) => (k >= line.quantity ? line.paidCents : Math.floor((line.paidCents * k) / line.quantity));
  return upTo(refundedQty + quantity) - upTo(refundedQty);
}

/** A line's paid price: its price less its discounts. */
const linePaid = (l: Pick<OrderLine, 'lineCents' | 'discountCents'>) => l.lineCents - (l.discountCents ?? 0);

export interface Refundable {
  order: Order;
  total: number;
  refunded: number;
  remaining: number;
  coops: RefundableCoop[];
  lines: RefundableLine[];
  refunds: RefundDoc[];
  /** The version of the order's refund tally these figures come from. */
  version: number;
  claimed: string[];
}

const PAID = new Set(['paid', 'completed', 'refunded']);

type ShareFigures = {
  coop: Types.ObjectId;
  coopName: string;
  subtotalCents: number;
  shippingCents: number;
  netCents: number;
  discountCents?: number;
};

/**
 * The order's refund tally, made on first use. Refunds recorded before the
 * tally existed are counted into it then (once: the insert is the claim),
 * so nothing refunded earlier becomes refundable again.
 */
async function tallyFor(order: Order, shares: ShareFigures[]): Promise<RefundTallyDoc> {
  const found = await RefundTallyModel.findById(String(order._id)).lean();
  if (found) return found;
  const before = await RefundModel.find({ order: order._id }).lean();
  const counted = before.filter((r) => r.status !== 'failed');
  const coops: Record<string, TallyCoop> = {};
  for (const s of shares) {
    const parts = counted.flatMap((r) => r.coops.filter((c) => String(c.coop) === String(s.coop)));
    coops[coopKey(String(s.coop))] = {
      amount: sum(parts.map((c) => c.amount)),
      shipping: sum(parts.map((c) => c.shipping ?? 0)),
      reversal: sum(parts.map((c) => c.reversal)),
    };
  }
  const lines: Record<string, number> = {};
  order.lines.forEach((_, i) => {
    lines[lineKey(i)] = sum(
      counted.filter((r) => r.mode === 'lines').flatMap((r) => r.lines.filter((x) => x.index === i).map((x) => x.quantity)),
    );
  });
  const claims = Object.fromEntries(before.map((r) => [markerKey(r._id), { refund: { _id: r._id }, released: r.status === 'failed' }]));
  try {
    await RefundTallyModel.collection.insertOne({
      _id: String(order._id) as never,
      v: 0,
      refunded: sum(counted.map((r) => r.amount)),
      coops,
      lines,
      claims,
    });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
  return (await RefundTallyModel.findById(String(order._id)).lean())!;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Writes a claimed refund's document (once: a second insert is a duplicate). */
async function writeClaimedRefund(body: Record<string, unknown>): Promise<void> {
  try {
    await RefundModel.create(body);
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
}

/**
 * Gives back what a refund claimed on the order's tally (Stripe refused
 * it): once, guarded by its marker, so later refunds can use it.
 */
async function releaseClaim(doc: Pick<RefundDoc, '_id' | 'order' | 'amount' | 'mode' | 'lines' | 'coops'>): Promise<void> {
  const path = `claims.${markerKey(doc._id)}`;
  const inc: Record<string, number> = { v: 1, refunded: -doc.amount };
  for (const c of doc.coops) {
    const k = coopKey(String(c.coop));
    inc[`coops.${k}.amount`] = (inc[`coops.${k}.amount`] ?? 0) - c.amount;
    inc[`coops.${k}.shipping`] = (inc[`coops.${k}.shipping`] ?? 0) - (c.shipping ?? 0);
    inc[`coops.${k}.reversal`] = (inc[`coops.${k}.reversal`] ?? 0) - c.reversal;
  }
  if (doc.mode === 'lines')
    for (const l of doc.lines) inc[`lines.${lineKey(l.index)}`] = (inc[`lines.${lineKey(l.index)}`] ?? 0) - l.quantity;
  await RefundTallyModel.updateOne(
    { _id: String(doc.order), [path]: trusted({ $exists: true }), [`${path}.released`]: trusted({ $ne: true }) },
    { $inc: inc, $set: { [`${path}.released`]: true } },
  );
}

/**
 * Finishes what a stopped process left between two steps: a claim on the
 * tally whose refund document was never written gets it (pending, so a
 * retry completes it), and a refund Stripe refused gives its claim back.
 * Returns true when it changed anything.
 */
async function healClaims(tally: RefundTallyDoc, refunds: RefundDoc[]): Promise<boolean> {
  const byId = new Map(refunds.map((r) => [r._id, r]));
  let changed = false;
  for (const claim of Object.values(tally.claims ?? {})) {
    const id = claim.refund?._id as string | undefined;
    if (!id) continue;
    const doc = byId.get(id);
    if (!doc && Object.keys(claim.refund).length > 1) {
      await writeClaimedRefund(claim.refund);
      changed = true;
    } else if (doc?.status === 'failed' && !claim.released) {
      await releaseClaim(doc);
      changed = true;
    }
  }
  return changed;
}

/**
 * What is left to refund on an order, in all and per co-op and line, from
 * the order's refund tally. Refunds that failed at Stripe do not count;
 * pending ones do (they may still go through), so the sum can never pass
 * what was paid.
 */
export async function refundable(orderId: string): Promise<Refundable> {
  if (!Types.ObjectId.isValid(orderId)) throw notFound('order_not_found', 'No such order');
  const order = await getOrder(orderId);
  if (!order) throw notFound('order_not_found', 'No such order');
  const shares = await sharesForOrder(order);
  let [tally, refunds] = await Promise.all([tallyFor(order, shares), RefundModel.find({ order: order._id }).sort({ createdAt: 1 }).lean()]);
  if (await healClaims(tally, refunds)) {
    [tally, refunds] = await Promise.all([
      RefundTallyModel.findById(orderId).lean() as Promise<RefundTallyDoc>,
      RefundModel.find({ order: order._id }).sort({ createdAt: 1 }).lean(),
    ]);
  }
  const coops = shares.map((s) => {
    const coopId = String(s.coop);
    const t = tally.coops?.[coopKey(coopId)] ?? { amount: 0, shipping: 0, reversal: 0 };
    const gross = sharePaid(s);
    const shipping = s.shippingCents - (s.shippingDiscountCents ?? 0);
    const cancelled = s.status === 'cancelled';
    return {
      coopId,
      name: s.coopName,
      gross,
      // A cancelled share (an order refunded because it was paid after it was cancelled) was never the co-op's: nothing to take back from it.
      net: cancelled ? 0 : s.netCents,
      platformDiscount: cancelled ? 0 : (s.platformDiscountCents ?? 0),
      shipping,
      refunded: t.amount,
      shippingRefunded: t.shipping,
      shippingRemaining: Math.max(0, shipping - t.shipping),
      remaining: gross - t.amount,
      reversedOrOwed: t.reversal,
    };
  });
  const lines = order.lines.map((l, index) => {
    const refundedQty = tally.lines?.[lineKey(index)] ?? 0;
    return {
      index,
      coopId: String(l.coop),
      name: l.name,
      unitCents: l.unitCents,
      quantity: l.quantity,
      paidCents: linePaid(l),
      refundedQty,
      remainingQty: l.quantity - refundedQty,
    };
  });
  return {
    order,
    total: order.totalCents,
    refunded: tally.refunded,
    remaining: order.totalCents - tally.refunded,
    coops,
    lines,
    refunds,
    version: tally.v,
    claimed: Object.keys(tally.claims ?? {}),
  };
}

const tooMuch = (details: Record<string, unknown>) =>
  new AppError('refund_exceeds_remaining', 'This refund is more than what remains refundable', 422, { details });

export interface RefundPlan {
  amount: number;
  coops: { coopId: string; amount: number; shipping: number }[];
  lines: { index: number; quantity: number }[];
}

/**
 * Turns a request into an amount per co-op, refusing anything beyond what
 * remains: a line's quantity, a co-op's shipping, a co-op's part, the order's total.
 */
export function planRefund(r: Refundable, req: Pick<RefundRequest, 'mode' | 'lines' | 'amounts' | 'shipping'>): RefundPlan {
  const perCoop = new Map<string, { amount: number; shipping: number }>();
  const add = (coopId: string, amount: number, shipping = 0) => {
    const p = perCoop.get(coopId) ?? { amount: 0, shipping: 0 };
    perCoop.set(coopId, { amount: p.amount + amount, shipping: p.shipping + shipping });
  };
  const lines: { index: number; quantity: number }[] = [];
  if (req.mode === 'lines') {
    for (const want of req.lines ?? []) {
      if (want.quantity <= 0) continue;
      const line = r.lines[want.index];
      if (!line) throw new AppError('refund_line_unknown', 'No such line', 422);
      if (want.quantity > line.remainingQty) throw tooMuch({ line: want.index, remainingQty: line.remainingQty });
      add(line.coopId, lineRefundCents(line, line.refundedQty, want.quantity));
      lines.push({ index: want.index, quantity: want.quantity });
    }
    for (const s of req.shipping ?? []) {
      if (s.cents <= 0) continue;
      const c = r.coops.find((x) => x.coopId === s.coopId);
      if (!c) throw new AppError('refund_coop_unknown', 'That co-op is not in this order', 422);
      if (s.cents > c.shippingRemaining) throw tooMuch({ coop: s.coopId, shippingRemaining: c.shippingRemaining });
      add(s.coopId, s.cents, s.cents);
    }
  } else {
    for (const a of req.amounts ?? []) {
      if (a.cents <= 0) continue;
      if (!r.coops.some((c) => c.coopId === a.coopId)) throw new AppError('refund_coop_unknown', 'That co-op is not in this order', 422);
      add(a.coopId, a.cents);
    }
  }
  for (const [coopId, p] of perCoop) {
    const c = r.coops.find((x) => x.coopId === coopId)!;
    if (p.amount > c.remaining) throw tooMuch({ coop: coopId, remaining: c.remaining });
  }
  const amount = sum([...perCoop.values()].map((p) => p.amount));
  if (amount <= 0) throw new AppError('refund_empty', 'Nothing to refund', 422);
  if (amount > r.remaining) throw tooMuch({ remaining: r.remaining });
  return { amount, coops: [...perCoop].map(([coopId, p]) => ({ coopId, ...p })), lines };
}

/**
 * The part of a co-op's refund taken back from the co-op. What the co-op
 * gives back in all is its net's share of everything refunded to it so far
 * (`allocate` splits the cumulative refund between net and commission, so
 * the parts always add up to the whole); this refund's part is that target
 * less what was already taken back. At a full refund, every part taken back
 * adds up to exactly the net, and the commission given back to exactly the
 * commission. The rest of `amount` is the commission the platform gives back.
 */
export function reversalFor(c: Pick<RefundableCoop, 'gross' | 'net' | 'refunded' | 'reversedOrOwed'>, amount: number): number {
  if (c.gross <= 0) return 0;
  if (c.net > c.gross) {
    // The platform gave more than its commission (its own discount): the co-op gives back its net in the same
    // proportion, more than the buyer gets back, so the platform recovers its discount too. Exact at a full refund.
    const after = c.refunded + amount;
    const target = after >= c.gross ? c.net : Math.floor((after * c.net) / c.gross);
    return Math.max(0, target - c.reversedOrOwed);
  }
  const [target] = allocate(c.refunded + amount, [c.net, c.gross - c.net]);
  return Math.max(0, Math.min(amount, target! - c.reversedOrOwed));
}

/**
 * Of the platform's own discount on a co-op's part, what a refund of
 * `amount` takes back: the discount's share of everything refunded so far
 * (exact at a full refund), less what earlier refunds took back.
 */
export function discountBackFor(c: Pick<RefundableCoop, 'gross' | 'platformDiscount' | 'refunded'>, amount: number): number {
  if (c.gross <= 0 || c.platformDiscount <= 0) return 0;
  const upTo = (r: number) => (r >= c.gross ? c.platformDiscount : Math.floor((r * c.platformDiscount) / c.gross));
  return upTo(c.refunded + amount) - upTo(c.refunded);
}

/** A co-op's goods in the order, gross cents by IVA rate. */
function goodsByRate(order: Pick<Order, 'lines'>, coopId: string): Map<number, number> {
  const byRate = new Map<number, number>();
  for (const l of order.lines) if (String(l.coop) === coopId) byRate.set(l.ivaRate, (byRate.get(l.ivaRate) ?? 0) + linePaid(l));
  return byRate;
}

/**
 * Splits cents that are not a line (shipping, or an amount refunded as
 * such) over the co-op's IVA rates in proportion to its goods: shipping
 * follows the rate of the goods it carries (art. 12 DPR 633/72), and each
 * co-op is the seller of its own goods. The one place this split is made.
 */
export function splitByGoodsRate(order: Pick<Order, 'lines'>, coopId: string, cents: number): Map<number, number> {
  const goods = goodsByRate(order, coopId);
  const rates = [...goods.keys()].sort((a, b) => b - a);
  if (!rates.length) return new Map(cents ? [[22, cents]] : []);
  const parts = allocate(
    cents,
    rates.map((r) => goods.get(r)!),
  );
  return new Map(rates.map((r, i) => [r, parts[i]!]));
}

/** The IVA in a co-op's part of a refund: its lines at their own rates, the rest split like its goods. */
export function refundIva(
  order: Pick<Order, 'lines'>,
  coopId: string,
  lines: { index: number; quantity: number; cents?: number }[],
  otherCents: number,
): IvaPart[] {
  const byRate = new Map<number, number>();
  for (const l of lines) {
    const line = order.lines[l.index];
    if (!line || String(line.coop) !== coopId) continue;
    byRate.set(line.ivaRate, (byRate.get(line.ivaRate) ?? 0) + (l.cents ?? line.unitCents * l.quantity));
  }
  for (const [rate, c] of splitByGoodsRate(order, coopId, otherCents)) byRate.set(rate, (byRate.get(rate) ?? 0) + c);
  return [...byRate]
    .filter(([, gross]) => gross > 0)
    .sort((a, b) => b[0] - a[0])
    .map(([rate, gross]) => ({ rate, gross, cents: ivaIncluded(gross, rate) }));
}

/**
 * Claims a refund on the order's tally: plans it from the tally's figures,
 * then one conditional update guarded by the tally's version and the
 * refund's own marker adds it. When another refund got in first, plans
 * again from the new figures (and refuses what no longer fits). The refund
 * document is written from the claim (and by `refundable` if a process
 * stopped in between). Returns the refund and whether this call made it.
 */
async function claimRefund(id: string, actorId: string | null, req: RefundRequest): Promise<{ doc: RefundDoc; fresh: boolean }> {
  const path = `claims.${markerKey(id)}`;
  for (let attempt = 0; attempt < 30; attempt++) {
    const existing = await RefundModel.findById(id).lean();
    if (existing) return { doc: existing, fresh: false };
    const r = await refundable(req.orderId);
    if (r.claimed.includes(markerKey(id))) continue; // written by `refundable` from the claim: read it above
    const paidLate = r.order.status === 'cancelled' && r.order.latePayment?.state === 'refunding';
    if (!(PAID.has(r.order.status) || paidLate) || !r.order.payment?.paymentIntentId)
      throw new AppError('order_not_paid', 'Only a paid order can be refunded', 409);
    const plan = planRefund(r, req);
    const inc: Record<string, number> = { v: 1, refunded: plan.amount };
    const coops = plan.coops.map((p) => {
      const c = r.coops.find((x) => x.coopId === p.coopId)!;
      const reversal = reversalFor(c, p.amount);
      const discount = discountBackFor(c, p.amount);
      const k = coopKey(p.coopId);
      inc[`coops.${k}.amount`] = p.amount;
      inc[`coops.${k}.shipping`] = p.shipping;
      inc[`coops.${k}.reversal`] = reversal;
      // Each line at what this refund returns of it (its paid price in proportion).
      const coopLines = plan.lines
        .filter((l) => r.lines[l.index]?.coopId === p.coopId)
        .map((l) => ({ ...l, cents: lineRefundCents(r.lines[l.index]!, r.lines[l.index]!.refundedQty, l.quantity) }));
      const linesCents = sum(coopLines.map((l) => l.cents));
      return {
        coop: new Types.ObjectId(p.coopId),
        amount: p.amount,
        shipping: p.shipping,
        reversal,
        ...(discount ? { discount } : {}),
        iva: refundIva(r.order, p.coopId, coopLines, p.amount - linesCents),
        outcome: 'pending' as const,
      };
    });
    for (const l of plan.lines) inc[`lines.${lineKey(l.index)}`] = l.quantity;
    const body = {
      _id: id,
      order: r.order._id,
      orderNumber: r.order.number,
      amount: plan.amount,
      reason: req.reason,
      mode: req.mode,
      lines: plan.lines,
      coops,
      returnStock: !!req.returnStock && req.mode === 'lines',
      status: 'pending',
      createdBy: actorId ? new Types.ObjectId(actorId) : null,
    };
    const res = await RefundTallyModel.updateOne(
      { _id: req.orderId, v: r.version, [path]: trusted({ $exists: false }) },
      { $inc: inc, $set: { [path]: { refund: body } } },
    );
    if (res.matchedCount === 1) {
      await writeClaimedRefund(body);
      return { doc: (await RefundModel.findById(id).lean())!, fresh: true };
    }
  }
  throw new AppError('refund_busy', 'Too many refunds of this order at once; try again', 409);
}

/**
 * Refunds (part of) a paid order: claims it on the order's refund tally
 * (see `claimRefund`: two refunds at once that together pass what remains
 * cannot both get through), then completes it (see `completeRefund`). A
 * request id seen before returns that refund instead of making a second one.
 */
export async function createRefund(actorId: string | null, req: RefundRequest, deps: RefundDeps): Promise<RefundDoc> {
  const id = `refund:${req.orderId}:${req.requestId}`;
  await recordOrderPaymentLedger(req.orderId);
  const claimed = await claimRefund(id, actorId, req);
  if (!claimed.fresh) return claimed.doc;
  const doc = await completeRefund(id, deps);
  await audit(actorId, 'order.refund', `order:${req.orderId}`, null, {
    refund: id,
    amount: doc.amount,
    status: doc.status,
    reason: req.reason,
    coops: doc.coops.map((c) => ({ coop: String(c.coop), amount: c.amount, reversal: c.reversal, outcome: c.outcome })),
  });
  if (doc.status === 'succeeded') await afterRefund(doc, deps).catch((err: unknown) => deps.onError?.(err));
  return doc;
}

/** How long one process may take to complete a refund before another may take over. */
const REFUND_LEASE_MS = 120_000;

/**
 * Carries a refund as far as it goes; safe to call again (every write has a
 * key derived from the refund), and one process at a time (a lease on the
 * refund document). Stripe refund first; then, per co-op, what is taken
 * back: deducted from its transfer if that is not fixed yet, else reversed
 * (`reversal:<refundId>:<coopId>`, claimed on the transfer so two refunds
 * never reverse more than it holds), else owed (the co-op's debt document,
 * netted against its next transfers); and the ledger. A full refund of a
 * co-op's share moves the share (and, when all are, the order) to refunded.
 */
export async function completeRefund(id: string, deps: RefundDeps): Promise<RefundDoc> {
  const now = new Date();
  const lease = await RefundModel.updateOne(
    { _id: id, status: trusted({ $ne: 'failed' }), $or: [{ busyUntil: null }, { busyUntil: trusted({ $lt: now }) }] },
    { $set: { busyUntil: new Date(now.getTime() + REFUND_LEASE_MS) } },
  );
  if (lease.matchedCount === 0) return (await RefundModel.findById(id).lean())!;
  try {
    return await completeLeased(id, deps);
  } finally {
    await RefundModel.updateOne({ _id: id }, { $set: { busyUntil: null } });
  }
}

async function completeLeased(id: string, deps: RefundDeps): Promise<RefundDoc> {
  let doc = (await RefundModel.findById(id).lean())!;
  const order = await getOrder(doc.order);
  if (doc.status === 'pending') {
    try {
      const r = await deps.gateway.createRefund({
        paymentIntentId: order!.payment!.paymentIntentId!,
        amount: doc.amount,
        reason: 'requested_by_customer',
        metadata: { orderId: String(doc.order), orderNumber: doc.orderNumber, refundId: id },
        idempotencyKey: id,
      });
      await recordLedger({
        _id: id,
        kind: 'refund',
        order: doc.order,
        orderNumber: doc.orderNumber,
        coop: null,
        amount: -doc.amount,
        stripeId: r.id,
        note: doc.reason.slice(0, 200),
      });
      await RefundModel.updateOne({ _id: id, status: 'pending' }, { $set: { status: 'succeeded', stripeRefundId: r.id, error: '' } });
    } catch (err) {
      const e = err instanceof PaymentProviderError ? err : new PaymentProviderError('unexpected', String(err), true);
      // A refused refund frees what it claimed; one that may have gone through stays pending for a retry with the same key.
      await RefundModel.updateOne(
        { _id: id, status: 'pending' },
        { $set: { status: e.retryable ? 'pending' : 'failed', error: `${e.code}: ${e.message}`.slice(0, 300) } },
      );
      if (!e.retryable) await releaseClaim(doc);
      throw new AppError('refund_failed', `Stripe did not refund: ${e.code}`, 502, { cause: e, details: { code: e.code } });
    }
  }
  doc = (await RefundModel.findById(id).lean())!;
  // A share whose transfer was never written (a process stopped after the payment): written now, so the refund is deducted from it.
  await ensureTransfers(String(doc.order));
  const coops = doc.coops.map((c) => ({ ...c }));
  for (const part of coops) {
    if (part.outcome !== 'pending') continue;
    await settlePart(doc, part, deps);
  }
  await RefundModel.updateOne({ _id: id }, { $set: { coops } });
  await markFullRefunds(String(doc.order));
  return (await RefundModel.findById(id).lean())!;
}

/** One co-op's part of a succeeded refund: commission given back, and its reversal deducted, reversed or owed. */
async function settlePart(doc: RefundDoc, part: RefundCoopPart, deps: RefundDeps): Promise<void> {
  const id = doc._id;
  const coopId = String(part.coop);
  const key = `${id}:${coopId}`;
  // What the platform gives back: its commission's part, less the part of its own discount it takes back (its own line).
  const discount = part.discount ?? 0;
  await recordLedger([
    {
      _id: `commission:${id}:${coopId}`,
      kind: 'commission',
      order: doc.order,
      orderNumber: doc.orderNumber,
      coop: part.coop,
      amount: -(part.amount - part.reversal + discount),
    },
    ...(discount
      ? [
          {
            _id: `discount:${id}:${coopId}`,
            kind: 'discount' as const,
            order: doc.order,
            orderNumber: doc.orderNumber,
            coop: part.coop,
            amount: discount,
          },
        ]
      : []),
  ]);
  if (part.reversal <= 0) {
    part.outcome = 'none';
    return;
  }
  const tid = transferId(String(doc.order), coopId);
  // Not fixed yet (not due, or held): it is simply sent smaller.
  const deducted = await cutUnfixedTransfer(tid, id, part.reversal);
  let reversed = 0;
  const toReverse = await claimReversal(tid, id, part.reversal - deducted);
  if (toReverse > 0) {
    const t = (await TransferModel.findById(tid, { stripeTransferId: 1 }).lean())!;
    try {
      const rev = await deps.gateway.createReversal({
        transferId: t.stripeTransferId!,
        amount: toReverse,
        metadata: { orderId: String(doc.order), coopId, refundId: id },
        idempotencyKey: `reversal:${id}:${coopId}`,
      });
      await recordLedger({
        _id: `reversal:${id}:${coopId}`,
        kind: 'reversal',
        order: doc.order,
        orderNumber: doc.orderNumber,
        coop: part.coop,
        amount: -toReverse,
        stripeId: rev.id,
      });
      await recordOwnReversal(tid, id, toReverse);
      part.stripeReversalId = rev.id;
      reversed = toReverse;
    } catch (err) {
      if (!(err instanceof PaymentProviderError)) throw err;
      await releaseReversal(tid, id, toReverse);
      part.error = `${err.code}: ${err.message}`.slice(0, 300);
    }
  }
  const owed = part.reversal - deducted - reversed;
  if (owed > 0) {
    // Fixed but not sent, more than the transfer holds, or the co-op's balance is short: it owes the rest, netted against its next transfers.
    await addDebt(coopId, key, owed);
    await recordLedger({
      _id: `owed:${id}:${coopId}`,
      kind: 'owed',
      order: doc.order,
      orderNumber: doc.orderNumber,
      coop: part.coop,
      amount: -owed,
      note: part.error ?? (toReverse ? 'more than the transfer' : 'not transferred yet'),
    });
  }
  part.outcome = owed > 0 ? 'owed' : reversed > 0 ? 'reversed' : 'deducted';
}

/**
 * Co-ops whose share was refunded in full (by refunds that succeeded): the
 * share, and the order when every share is, move to `refunded`, so the co-op
 * no longer sees it as one to ship and its money page no longer counts it.
 */
async function markFullRefunds(orderId: string): Promise<void> {
  const [shares, refunds] = await Promise.all([
    sharesForOrder(orderId),
    RefundModel.find({ order: new Types.ObjectId(orderId), status: 'succeeded' }, { coops: 1 }).lean(),
  ]);
  const full = shares
    .filter((s) => s.status !== 'refunded' && sharePaid(s) > 0)
    .filter(
      (s) => sum(refunds.flatMap((r) => r.coops.filter((c) => String(c.coop) === String(s.coop)).map((c) => c.amount))) >= sharePaid(s),
    )
    .map((s) => String(s.coop));
  if (full.length) await markRefunded(orderId, full);
}

/** Stock given back (once per refund and line) and the buyer and co-ops told. Best effort. */
async function afterRefund(doc: RefundDoc, deps: RefundDeps): Promise<void> {
  const order = await getOrder(doc.order);
  if (!order) return;
  if (doc.returnStock) {
    const touched: string[] = [];
    for (const l of doc.lines) {
      const line = order.lines[l.index];
      // Once per refund line: the stock owner marks the line in the same write that puts the units back.
      if (!line || !(await restockForRefund(stockId(line.product, line.sku), `${doc._id}:${l.index}`, l.quantity))) continue;
      touched.push(String(line.product));
    }
    if (touched.length) await stockChanged(touched);
  }
  if (!deps.mailer) return;
  await sendTemplate(deps.mailer, {
    to: order.buyer.email,
    locale: order.buyer.locale,
    template: 'payouts/refund-buyer',
    subjectKey: 'admin.emails.refundBuyer.subject',
    data: { number: order.number, amount: doc.amount, reason: doc.reason },
  });
  const coops = await findCoops(doc.coops.map((c) => c.coop));
  for (const part of doc.coops) {
    const coop = coops.find((c) => String(c._id) === String(part.coop));
    if (!coop?.contact?.email) continue;
    await sendTemplate(deps.mailer, {
      to: coop.contact.email,
      locale: 'it',
      template: 'payouts/refund-coop',
      subjectKey: 'admin.emails.refundCoop.subject',
      data: {
        number: order.number,
        amount: part.amount,
        reversal: part.reversal,
        owed: part.outcome === 'owed',
        reason: doc.reason,
        coopName: coop.name,
      },
    });
  }
}

/**
 * Tries a refund left pending again (Stripe did not answer, or the process
 * stopped half way): the same keys, so nothing is done twice.
 */
export async function retryRefund(actorId: string | null, id: string, deps: RefundDeps): Promise<RefundDoc> {
  const doc = await RefundModel.findById(id, { order: 1, status: 1, coops: 1 }).lean();
  if (!doc) throw notFound('refund_not_found', 'No such refund');
  if (doc.status === 'failed' || (doc.status === 'succeeded' && doc.coops.every((c) => c.outcome !== 'pending')))
    throw new AppError('refund_not_pending', 'This refund is not pending', 409);
  const after = await completeRefund(id, deps);
  await audit(
    actorId,
    'order.refund_retry',
    `order:${String(doc.order)}`,
    { refund: id, status: doc.status },
    { refund: id, status: after.status },
  );
  if (doc.status === 'pending' && after.status === 'succeeded') await afterRefund(after, deps).catch((err: unknown) => deps.onError?.(err));
  return after;
}
