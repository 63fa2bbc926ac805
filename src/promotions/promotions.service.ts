import { Types } from 'mongoose';
import { readProductsLive } from '../catalog';
import { findCoop } from '../coops';
import { audit } from '../platform/audit';
import { isDuplicateKey } from '../platform/claims';
import { trusted } from '../platform/db';
import { AppError, conflict, forbidden, isAppError, notFound } from '../platform/errors';
import { fieldErrors } from '../platform/forms';
import type { PricedPromotion } from './pricing';
import {
  CoopLimitsModel,
  DEFAULT_COOP_LIMITS,
  PromotionCodeModel,
  PromotionModel,
  PromotionUseModel,
  type Promotion,
  type PromotionUse,
} from './promotion.model';
import { PromotionBody, type PromotionInput } from './promotions.schemas';

/** Why a typed code does not apply (the cart shows `promotions.codeError.<code>` and keeps itself). */
export const CODE_ERRORS = ['unknown', 'inactive', 'not_started', 'expired', 'used_up', 'not_eligible', 'below_minimum'] as const;
export type CodeError = (typeof CODE_ERRORS)[number];

/** Who asks: an admin (platform money) or a manager of one co-op (that co-op's money). Routes build it from the session. */
export type PromotionActor = { userId: string; admin: true } | { userId: string; admin?: false; coopId: string };

const DAY_MS = 86_400_000;

export function toPriced(p: Promotion): PricedPromotion {
  const id = String(p._id);
  return {
    id,
    code: p.code,
    name: p.name,
    funder: p.funder.kind === 'coop' ? { kind: 'coop', coopId: String(p.funder.coop) } : { kind: 'platform' },
    scope:
      p.scope.kind === 'department'
        ? { kind: 'department', department: p.scope.department }
        : p.scope.kind === 'coop'
          ? { kind: 'coop', coopId: String(p.scope.coop) }
          : p.scope.kind === 'products'
            ? { kind: 'products', productIds: p.scope.products.map(String) }
            : { kind: 'all' },
    value:
      p.value.kind === 'percent'
        ? { kind: 'percent', bps: p.value.bps }
        : p.value.kind === 'fixed'
          ? { kind: 'fixed', cents: p.value.cents }
          : { kind: 'free_shipping', coopId: String(p.value.shippingCoop) },
    minBasketCents: p.minBasketCents,
    stackable: p.stackable,
  };
}

/** Why a promotion cannot be used at `at`, or null when it can (its per-customer limits are checked when an order claims it). */
export function unusable(p: Pick<Promotion, 'active' | 'startsAt' | 'endsAt' | 'maxUses' | 'uses'>, at: Date): CodeError | null {
  if (!p.active) return 'inactive';
  if (p.startsAt && p.startsAt.getTime() > at.getTime()) return 'not_started';
  if (p.endsAt && p.endsAt.getTime() <= at.getTime()) return 'expired';
  if (p.maxUses > 0 && p.uses >= p.maxUses) return 'used_up';
  return null;
}

export interface CartPromotions {
  code: PricedPromotion | null;
  codeError: CodeError | null;
  automatic: PricedPromotion[];
}

/**
 * The promotions a cart may use now: the typed code's (two `_id` reads:
 * the code, then its promotion) and the automatic ones in force. Whether
 * they reach the cart's goods is pricing's answer.
 */
export async function findForCart(code: string | null | undefined, at = new Date(), { fresh = true } = {}): Promise<CartPromotions> {
  const [key, autos] = await Promise.all([code ? PromotionCodeModel.findById(code).lean() : null, automaticPromotions(fresh)]);
  const doc = key ? await PromotionModel.findById(key.promotion).lean() : null;
  const codeError: CodeError | null = !code ? null : !doc ? 'unknown' : unusable(doc, at);
  const automatic = autos.filter((p) => !unusable(p, at));
  return { code: doc && !codeError ? toPriced(doc) : null, codeError, automatic: automatic.map(toPriced) };
}

/**
 * The automatic promotions, for showing a cart: this process's copy, read
 * again in the background when older than AUTO_TTL_MS, so a cart page
 * makes no database query of its own (it answers while the database is
 * away, as it did before promotions). The first read waits at most
 * AUTO_FIRST_WAIT_MS. Checkout (`fresh`) always reads the database.
 * A memo of one query, like the catalogue's read model; see the report of
 * issue 20 on module state.
 */
const AUTO_TTL_MS = 5_000;
const AUTO_FIRST_WAIT_MS = 250;
let autoCopy: { at: number; list: Promotion[] } | null = null;
let autoReading: Promise<void> | null = null;
/** Moves whenever the copy is replaced or forgotten. */
let autoGeneration = 0;

/**
 * For pages kept with the automatic promotions they show (the cart page): a
 * number that moves when the copy does. A copy past its age reads as news
 * (-1), so the page is made again, which reads the promotions again.
 */
export function automaticPromotionsGeneration(now = Date.now()): number {
  return autoCopy && now - autoCopy.at <= AUTO_TTL_MS ? autoGeneration : -1;
}

async function automaticPromotions(fresh: boolean): Promise<Promotion[]> {
  if (fresh) return PromotionModel.find({ code: null, active: true }).lean();
  if (!autoCopy || Date.now() - autoCopy.at > AUTO_TTL_MS) {
    autoReading ??= PromotionModel.find({ code: null, active: true })
      .lean()
      .then((list) => {
        autoCopy = { at: Date.now(), list };
        autoGeneration++;
      })
      .catch(() => undefined)
      .finally(() => {
        autoReading = null;
      });
    if (!autoCopy) await Promise.race([autoReading, new Promise((r) => setTimeout(r, AUTO_FIRST_WAIT_MS).unref())]);
  }
  return autoCopy?.list ?? [];
}

/** A promotion made or switched in this process shows in its next cart. */
function forgetAutomatic(): void {
  autoCopy = null;
  autoGeneration++;
}

/* ---------------- Claiming and giving back uses ---------------- */

export type ClaimStep = 'use_written' | 'slot_taken' | 'counted';

export interface ClaimInput {
  orderId: string;
  /** The promotions the order's price used, with what each took off. */
  promotions: { promotionId: string; discountCents: number }[];
  /** `u:<userId>` or `e:<email>`: whose per-customer limit counts. */
  customer: string;
  salesCents: number;
  /** Asked only when a promotion is for first orders: does this customer have an order already? */
  hasPriorOrders: () => Promise<boolean>;
  /** Tests stop a claim between its steps here (a crash), then run it again. */
  onStep?: (step: ClaimStep, promotionId: string) => Promise<void> | void;
}

const useId = (promotionId: string, orderId: string) => `use:${promotionId}:${orderId}`;

/**
 * Claims one use of each promotion for an order, at the moment its stock
 * is held. Per promotion, each step safe to run again (a retry of the
 * same order finishes a claim a crash stopped, and never counts twice):
 * 1. the order's use record is inserted once (`use:<promotion>:<order>`);
 * 2. with a per-customer limit, one of the customer's slots
 *    (`slot:<promotion>:<customer>:<n>`) is inserted (unique `_id`s: two
 *    orders at once cannot take the same slot);
 * 3. one conditional update counts the use: `uses < maxUses` and no mark
 *    of this order yet → `uses + 1` and the mark (`pending.<order>`);
 * 4. the use is held and the mark removed.
 * A promotion used up or a customer over the limit refuses the whole
 * order: what this call claimed is given back and `AppError` thrown.
 */
export async function claimUses(input: ClaimInput): Promise<void> {
  if (!input.promotions.length) return;
  const docs = await Promise.all(input.promotions.map((p) => PromotionModel.findById(p.promotionId).lean()));
  try {
    for (const [i, p] of input.promotions.entries()) {
      const doc = docs[i];
      if (!doc) throw new AppError('promotion_unknown', 'This promotion no longer exists', 409);
      if (doc.firstOrderOnly && (await input.hasPriorOrders()))
        throw new AppError('promotion_first_order', 'This code is for a first order only', 409);
      await claimOne(doc, p.discountCents, input);
    }
  } catch (err) {
    await releaseUses(input.orderId);
    throw err;
  }
}

async function claimOne(doc: Promotion, discountCents: number, input: ClaimInput): Promise<void> {
  const pid = String(doc._id);
  const order = new Types.ObjectId(input.orderId);
  const id = useId(pid, input.orderId);
  try {
    await PromotionUseModel.create({
      _id: id,
      kind: 'use',
      promotion: doc._id,
      order,
      customer: input.customer,
      state: 'claiming',
      discountCents,
      salesCents: input.salesCents,
      at: new Date(),
    });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const existing = (await PromotionUseModel.findById(id).lean())!;
    if (existing.state === 'held' || existing.state === 'paid') return;
    if (existing.state !== 'claiming') throw conflict('promotion_released', 'This order gave its use back');
  }
  await input.onStep?.('use_written', pid);
  if (doc.perCustomer > 0 && !(await takeSlot(doc, input))) {
    await refuse(id);
    throw new AppError('promotion_customer_limit', 'This code was already used by this customer', 409);
  }
  await input.onStep?.('slot_taken', pid);
  const mark = `pending.${input.orderId}`;
  const counted = await PromotionModel.updateOne(
    { _id: doc._id, [mark]: trusted({ $exists: false }), ...(doc.maxUses > 0 ? { uses: trusted({ $lt: doc.maxUses }) } : {}) },
    { $inc: { uses: 1 }, $set: { [mark]: true } },
  );
  if (counted.matchedCount === 0) {
    // Counted already by a run of this claim that stopped, or used up.
    const again = await PromotionModel.findById(doc._id, { pending: 1 }).lean();
    if (!again?.pending?.[input.orderId]) {
      await PromotionUseModel.deleteMany({ kind: 'slot', promotion: doc._id, order });
      await refuse(id);
      throw new AppError('promotion_used_up', 'This code has been used up', 409);
    }
  }
  await input.onStep?.('counted', pid);
  await PromotionUseModel.updateOne({ _id: id, state: 'claiming' }, { $set: { state: 'held' } });
  await PromotionModel.updateOne({ _id: doc._id }, { $unset: { [mark]: 1 } });
}

/** One of the customer's slots for this order (or the one it took before); false when all are taken by other orders. */
async function takeSlot(doc: Promotion, input: ClaimInput): Promise<boolean> {
  for (let n = 1; n <= doc.perCustomer; n++) {
    const id = `slot:${String(doc._id)}:${input.customer}:${n}`;
    try {
      await PromotionUseModel.create({
        _id: id,
        kind: 'slot',
        promotion: doc._id,
        order: new Types.ObjectId(input.orderId),
        customer: input.customer,
        at: new Date(),
      });
      return true;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const held = await PromotionUseModel.findById(id, { order: 1 }).lean();
      if (held && String(held.order) === input.orderId) return true;
    }
  }
  return false;
}

async function refuse(id: string): Promise<void> {
  await PromotionUseModel.updateOne({ _id: id, state: 'claiming' }, { $set: { state: 'refused' } });
}

/**
 * Gives back the uses an order holds (it was cancelled, or expired
 * unpaid; or its checkout stopped before the order was written). Each
 * step is guarded, so running it again, or twice at once, gives back each
 * use once: the use moves to `releasing` (remembering where from), the
 * count goes down once (guarded by the order's mark, which stays: an
 * order released is never counted again but by `markUsesPaid`'s own
 * mark), its slot is freed, the use is `released`. A paid order's uses
 * are never given back.
 */
export async function releaseUses(orderId: string): Promise<number> {
  if (!Types.ObjectId.isValid(orderId)) return 0;
  const order = new Types.ObjectId(orderId);
  const uses = await PromotionUseModel.find({ order, kind: 'use' }).lean();
  let released = 0;
  for (const u of uses) if (await releaseOne(u)) released++;
  return released;
}

async function releaseOne(u: PromotionUse): Promise<boolean> {
  if (u.state === 'claiming' || u.state === 'held')
    await PromotionUseModel.updateOne({ _id: u._id, state: u.state }, { $set: { state: 'releasing', releasedFrom: u.state } });
  const now = await PromotionUseModel.findById(u._id).lean();
  if (now?.state !== 'releasing') return false;
  const orderId = String(u.order);
  // A claim that stopped after counting still carries its mark: the count goes down with the mark.
  const unmarked = await PromotionModel.updateOne(
    { _id: u.promotion, [`pending.${orderId}`]: trusted({ $exists: true }) },
    { $inc: { uses: -1 }, $unset: { [`pending.${orderId}`]: 1 }, $set: { [`released.${orderId}`]: true } },
  );
  if (unmarked.matchedCount === 0 && now.releasedFrom === 'held')
    await PromotionModel.updateOne(
      { _id: u.promotion, [`released.${orderId}`]: trusted({ $exists: false }) },
      { $inc: { uses: -1 }, $set: { [`released.${orderId}`]: true } },
    );
  await PromotionUseModel.deleteMany({ kind: 'slot', promotion: u.promotion, order: u.order });
  const done = await PromotionUseModel.updateOne({ _id: u._id, state: 'releasing' }, { $set: { state: 'released' } });
  // The order's mark stays: a second release that read `releasing` before this one finished would
  // otherwise find no mark and count the use down again (CI saw -1 from three releases at once).
  return done.modifiedCount === 1;
}

/**
 * The order was paid: its uses count in the reports (and are never given
 * back). A use given back because the order was cancelled, and then paid
 * after all (a late payment whose stock was taken again), is counted
 * again, over the limit if need be (the buyer has paid the discounted
 * price): `released` → `recounting`, the count up once (guarded by the
 * order's `recounted` mark, which stays: late payments are rare, and a
 * mark removed could let a second caller count again), `paid`. A rerun
 * finishes it.
 */
export async function markUsesPaid(orderId: string): Promise<void> {
  if (!Types.ObjectId.isValid(orderId)) return;
  const order = new Types.ObjectId(orderId);
  await PromotionUseModel.updateMany({ order, kind: 'use', state: 'held' }, { $set: { state: 'paid' } });
  const late = await PromotionUseModel.find({ order, kind: 'use', state: trusted({ $in: ['released', 'recounting'] }) }).lean();
  for (const u of late) {
    if (u.state === 'released') await PromotionUseModel.updateOne({ _id: u._id, state: 'released' }, { $set: { state: 'recounting' } });
    const mark = `recounted.${orderId}`;
    await PromotionModel.updateOne(
      { _id: u.promotion, [mark]: trusted({ $exists: false }) },
      { $inc: { uses: 1 }, $set: { [mark]: true } },
    );
    await PromotionUseModel.updateOne({ _id: u._id, state: 'recounting' }, { $set: { state: 'paid' } });
  }
}

/* ---------------- Making and listing promotions ---------------- */

export interface CoopLimitsView {
  maxPercentBps: number;
  maxFixedCents: number;
  maxUses: number;
}

export async function getCoopLimits(): Promise<CoopLimitsView> {
  const doc = await CoopLimitsModel.findById('coop-limits').lean();
  return doc ? { maxPercentBps: doc.maxPercentBps, maxFixedCents: doc.maxFixedCents, maxUses: doc.maxUses } : { ...DEFAULT_COOP_LIMITS };
}

export async function setCoopLimits(actorId: string, limits: CoopLimitsView): Promise<CoopLimitsView> {
  const before = await getCoopLimits();
  await CoopLimitsModel.updateOne({ _id: 'coop-limits' }, { $set: limits }, { upsert: true });
  await audit(actorId, 'promotions.limits', 'promotions:coop-limits', before, limits);
  return limits;
}

const dayStart = (s: string) => (s ? new Date(`${s}T00:00:00Z`) : null);

/**
 * Makes a promotion. Who funds it follows from who asks: an admin makes
 * platform-funded ones; a co-op manager makes ones funded by their co-op,
 * reaching only its goods (a scope naming another co-op, or products of
 * another co-op, is refused) and inside the admin's limits (percentage,
 * fixed amount, and a total number of uses it must set).
 * Problems come back as `AppError` with `details.field`, for the form.
 */
export async function createPromotion(actor: PromotionActor, input: PromotionInput): Promise<Promotion> {
  const field = (name: string, code = 'promotion_invalid') =>
    new AppError(code, `Invalid ${name}`, 422, { details: { field: name, message: `promotions.errors.${code}` } });
  const coopFunded = !actor.admin;
  const ownCoop = coopFunded ? actor.coopId : null;
  if (coopFunded) {
    const limits = await getCoopLimits();
    if (input.valueKind === 'percent' && input.percent > limits.maxPercentBps) throw field('percent', 'promotion_over_limit');
    if (input.valueKind === 'fixed' && input.amount > limits.maxFixedCents) throw field('amount', 'promotion_over_limit');
    if (limits.maxUses > 0 && (input.maxUses <= 0 || input.maxUses > limits.maxUses)) throw field('maxUses', 'promotion_over_limit');
    if (input.scope === 'coop' && input.scopeCoop !== ownCoop) throw field('scopeCoop', 'promotion_not_own');
    if (input.valueKind === 'free_shipping' && input.shippingCoop !== ownCoop) throw field('shippingCoop', 'promotion_not_own');
  }
  if (input.scope === 'products') {
    const products = await readProductsLive(input.products);
    if (products.length !== new Set(input.products).size) throw field('products');
    if (coopFunded && products.some((p) => String(p.coop) !== ownCoop)) throw field('products', 'promotion_not_own');
  }
  for (const [name, id] of [
    ['scopeCoop', input.scope === 'coop' ? input.scopeCoop : ''],
    ['shippingCoop', input.valueKind === 'free_shipping' ? input.shippingCoop : ''],
  ] as const)
    if (id && !(await findCoop(id))) throw field(name);
  const funderCoop = ownCoop ? await findCoop(ownCoop) : null;
  if (coopFunded && !funderCoop) throw notFound('coop_not_found', 'No such co-op');

  const _id = new Types.ObjectId();
  const code = input.type === 'code' ? input.code : null;
  if (code) {
    try {
      await PromotionCodeModel.create({ _id: code, promotion: _id });
    } catch (err) {
      if (isDuplicateKey(err)) throw field('code', 'promotion_code_taken');
      throw err;
    }
  }
  const endsAt = dayStart(input.endsAt);
  const doc = await PromotionModel.create({
    _id,
    code,
    name: input.name,
    funder: { kind: coopFunded ? 'coop' : 'platform', coop: funderCoop?._id ?? null, coopName: funderCoop?.name ?? '' },
    scope: {
      kind: input.scope,
      department: input.scope === 'department' ? input.department : '',
      coop: input.scope === 'coop' ? new Types.ObjectId(input.scopeCoop) : null,
      products: input.scope === 'products' ? input.products.map((p) => new Types.ObjectId(p)) : [],
    },
    value: {
      kind: input.valueKind,
      bps: input.valueKind === 'percent' ? input.percent : 0,
      cents: input.valueKind === 'fixed' ? input.amount : 0,
      shippingCoop: input.valueKind === 'free_shipping' ? new Types.ObjectId(input.shippingCoop) : null,
    },
    minBasketCents: input.minBasket,
    startsAt: dayStart(input.startsAt),
    // Valid through the whole last day.
    endsAt: endsAt && new Date(endsAt.getTime() + DAY_MS),
    maxUses: input.maxUses,
    perCustomer: input.perCustomer,
    firstOrderOnly: input.firstOrderOnly,
    stackable: input.type === 'automatic' && input.stackable,
    active: true,
    uses: 0,
    createdBy: new Types.ObjectId(actor.userId),
  });
  forgetAutomatic();
  await audit(actor.userId, 'promotion.create', `promotion:${String(_id)}`, null, {
    code,
    funder: coopFunded ? `coop:${ownCoop}` : 'platform',
    value: doc.value,
    maxUses: doc.maxUses,
  });
  return doc.toObject();
}

/** Switches a promotion on or off; a co-op manager only their co-op's. */
export async function setPromotionActive(actor: PromotionActor, id: string, active: boolean): Promise<void> {
  const doc = Types.ObjectId.isValid(id) ? await PromotionModel.findById(id).lean() : null;
  if (!doc) throw notFound('promotion_not_found', 'No such promotion');
  if (!actor.admin && String(doc.funder.coop) !== actor.coopId) throw notFound('promotion_not_found', 'No such promotion');
  if (actor.admin && doc.funder.kind !== 'platform') throw forbidden('promotion_not_own', 'A co-op runs its own promotions');
  await PromotionModel.updateOne({ _id: doc._id }, { $set: { active } });
  forgetAutomatic();
  await audit(actor.userId, active ? 'promotion.activate' : 'promotion.deactivate', `promotion:${id}`, { active: doc.active }, { active });
}

export interface PromotionReportRow {
  promotion: Promotion;
  /** Orders holding it now (paid or waiting for payment). */
  uses: number;
  paidUses: number;
  /** What it took off paid orders, and what those orders came to. */
  valueGivenCents: number;
  salesCents: number;
}

/**
 * Each promotion with its uses, the value it gave and the sales it
 * brought (paid orders only), newest first: all of them for the admin, a
 * co-op's own for that co-op. Reads the promotions and their use records.
 */
export async function promotionReport(filter: { coopId?: string } = {}): Promise<PromotionReportRow[]> {
  const q = filter.coopId ? { 'funder.coop': new Types.ObjectId(filter.coopId) } : {};
  const promotions = await PromotionModel.find(q).sort({ createdAt: -1 }).limit(500).lean();
  if (!promotions.length) return [];
  const uses = await PromotionUseModel.find(
    { kind: 'use', promotion: trusted({ $in: promotions.map((p) => p._id) }), state: trusted({ $in: ['held', 'paid'] }) },
    { promotion: 1, state: 1, discountCents: 1, salesCents: 1 },
  ).lean();
  return promotions.map((p) => {
    const mine = uses.filter((u) => String(u.promotion) === String(p._id));
    const paid = mine.filter((u) => u.state === 'paid');
    return {
      promotion: p,
      uses: p.uses,
      paidUses: paid.length,
      valueGivenCents: paid.reduce((n, u) => n + (u.discountCents ?? 0), 0),
      salesCents: paid.reduce((n, u) => n + (u.salesCents ?? 0), 0),
    };
  });
}

/**
 * Creates a promotion from its submitted form (the admin's and a co-op's
 * pages share it): null when made, else the messages to show the form
 * again with (`form` for the summary, then one per field). An error that
 * names no field is thrown on.
 */
export async function createPromotionFromForm(
  actor: PromotionActor,
  body: Record<string, unknown>,
): Promise<Record<string, string> | null> {
  const parsed = PromotionBody.safeParse(body);
  if (!parsed.success) return { form: 'promotions.errors.form', ...fieldErrors(parsed.error, 'promotions.errors') };
  try {
    await createPromotion(actor, parsed.data);
    return null;
  } catch (err) {
    const details = isAppError(err) ? (err.details as { field?: string; message?: string } | undefined) : undefined;
    if (!details?.field || !details.message) throw err;
    return { form: 'promotions.errors.form', [details.field]: details.message };
  }
}
