import { Types } from 'mongoose';
import { audit } from '../platform/audit';
import { claim, isDuplicateKey } from '../platform/claims';
import type { Config } from '../platform/config';
import { trusted } from '../platform/db';
import { AppError, conflict, notFound } from '../platform/errors';
import type { Logger } from '../platform/logger';
import { sendTemplate, type Mailer } from '../platform/mail';
import type { Locale } from '../platform/i18n';
import { catalogChanged, countReview } from '../catalog';
import { findCoop } from '../coops';
import { getOrder, orderByViewToken, sharesForOrder, type Order } from '../orders';
import { firstNameAndInitial } from './plain-text';
import { HelpfulVoteModel, ReviewModel, ReviewReportModel, type ReportReason, type Review } from './review.model';
import type { ReviewInput, ReviewSort } from './reviews.schemas';

/** Who asks about an order: its signed-in owner (by order id), or anyone holding its private link. */
export type ReviewerAccess = { userId: string; orderId: string } | { token: string };

/** One product of an order, as the buyer's review page shows it. */
export interface ReviewableItem {
  productId: string;
  coopId: string;
  name: { it: string; en: string };
  /** The co-op's share reached the buyer (delivered or collected): only then may they review. */
  received: boolean;
  review: Review | null;
}

export interface ReviewsDeps {
  mailer: Mailer;
  config: Config;
  logger: Logger;
  /** Test-only: called between steps, to stop a flow there (a crash). */
  onStep?: (step: 'counted' | 'invitation-sent', id: string) => Promise<void> | void;
}

/** Shares in these states have reached the buyer. */
const RECEIVED = new Set(['delivered', 'collected']);
export const REVIEWS_PER_PAGE = 10;

export const reviewIdOf = (orderId: string | Types.ObjectId, productId: string | Types.ObjectId) =>
  `${String(orderId)}-${String(productId)}`;

/** How many times a change re-reads a review that another write changed under it. */
const ATTEMPTS = 10;

/** The review's stars as the ratings count them: none when it is not shown. */
const counted = (r: Pick<Review, 'status' | 'stars'>) => (r.status === 'published' ? r.stars : 0);

/** "marzo 2026": one formatter per language, made once (making one costs more than rendering a review). */
const MONTH_FORMATS = {
  it: new Intl.DateTimeFormat('it-IT', { month: 'long', year: 'numeric', timeZone: 'Europe/Rome' }),
  en: new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'Europe/Rome' }),
};
const monthOf = (d: Date, locale: Locale) => MONTH_FORMATS[locale === 'it' ? 'it' : 'en'].format(d);

/**
 * Reviews from people who bought: who may write one, the writing, editing
 * and deleting, the co-op's reply, "helpful" votes, reports and an admin's
 * moderation. Every change that moves what the ratings count (stars,
 * shown or not) bumps the review's `version` and marks it `dirty` in one
 * guarded write, then `sync` counts that version in the product's and the
 * co-op's ratings (catalog/ratings.ts, exact under any interleaving) and
 * tells the catalogue, whose kept pages then show it.
 */
export function createReviews(deps: ReviewsDeps) {
  const { mailer, config, logger } = deps;

  /** The order behind `access`, or 404 for an order that is not theirs, unknown, or a forged id. */
  async function orderFor(access: ReviewerAccess): Promise<Order> {
    const order = 'token' in access ? await orderByViewToken(access.token) : await getOrder(access.orderId);
    if (!order) throw notFound('order_not_found', 'No such order');
    if ('userId' in access && String(order.buyer.user ?? '') !== access.userId) throw notFound('order_not_found', 'No such order');
    return order;
  }

  /** The order's products, whether each reached the buyer, and the review each has. */
  async function reviewable(access: ReviewerAccess): Promise<{ order: Order; items: ReviewableItem[] }> {
    const order = await orderFor(access);
    const shares = await sharesForOrder(order);
    const received = new Set(shares.filter((s) => RECEIVED.has(s.status)).map((s) => String(s.coop)));
    const lines = new Map<string, Order['lines'][number]>();
    for (const l of order.lines) if (!lines.has(String(l.product))) lines.set(String(l.product), l);
    const reviews = await Promise.all([...lines.keys()].map((pid) => ReviewModel.findById(reviewIdOf(order._id, pid)).lean<Review>()));
    const items = [...lines.values()].map((l, i) => ({
      productId: String(l.product),
      coopId: String(l.coop),
      name: l.name,
      received: received.has(String(l.coop)),
      review: reviews[i] && reviews[i].status !== 'deleted' ? reviews[i] : null,
    }));
    return { order, items };
  }

  /** The item a buyer may review, or the reason they may not. */
  async function itemFor(access: ReviewerAccess, productId: string): Promise<{ order: Order; item: ReviewableItem }> {
    const { order, items } = await reviewable(access);
    const item = items.find((i) => i.productId === productId);
    if (!item) throw notFound('product_not_in_order', 'This order holds no such product');
    if (!item.received) throw new AppError('not_received', 'Only goods that reached you can be reviewed', 403);
    return { order, item };
  }

  /**
   * Changes a review with one guarded write (`{ _id, version }`), read
   * again and retried when another write came first. `change` returns the
   * fields to set, or throws when the review may not change.
   */
  async function move(id: string, change: (r: Review) => Record<string, unknown>, opts: { counts: boolean }): Promise<Review> {
    for (let i = 0; i < ATTEMPTS; i++) {
      const r = await ReviewModel.findById(id).lean<Review>();
      if (!r) throw notFound('review_not_found', 'No such review');
      const set = change(r);
      const update = opts.counts ? { $set: { ...set, dirty: true }, $inc: { version: 1 } } : { $set: set };
      const done = await ReviewModel.updateOne({ _id: id, version: r.version }, update);
      if (done.modifiedCount === 1) {
        if (opts.counts) await sync(id);
        else await catalogChanged({ productIds: [String(r.product)] });
        return (await ReviewModel.findById(id).lean<Review>())!;
      }
    }
    throw conflict('review_changed', 'The review changed meanwhile; try again');
  }

  /**
   * Counts the review's current version in its product's and co-op's
   * ratings and clears `dirty` (guarded on that version: a newer change
   * keeps it for its own sync). Safe to run again; the `reviews-sync` job
   * runs it for reviews a crash left dirty.
   */
  async function sync(id: string): Promise<void> {
    const r = await ReviewModel.findById(id, { product: 1, coop: 1, version: 1, status: 1, stars: 1 }).lean<Review>();
    if (!r) return;
    await countReview({ reviewId: id, productId: String(r.product), coopId: String(r.coop), version: r.version, stars: counted(r) });
    await deps.onStep?.('counted', id);
    await ReviewModel.updateOne({ _id: id, version: r.version }, { $set: { dirty: false } });
    await catalogChanged({ productIds: [String(r.product)] });
  }

  /** Reviews a crash left between their change and its count (a short list: a filter on `dirty`). */
  async function syncDirty(olderThanMs = 60_000): Promise<number> {
    const stale = await ReviewModel.find({ dirty: true, updatedAt: trusted({ $lt: new Date(Date.now() - olderThanMs) }) }, { _id: 1 })
      .limit(200)
      .lean();
    for (const r of stale) await sync(r._id);
    return stale.length;
  }

  /**
   * Writes the buyer's review of one product of their order. Once per
   * product per order: the review's `_id` is "<order>-<product>", so a
   * second submit (a replayed form, two tabs) fails on the insert with
   * `already_reviewed`. A review the buyer deleted may be written again.
   */
  async function write(access: ReviewerAccess, productId: string, input: ReviewInput): Promise<Review> {
    const { order, item } = await itemFor(access, productId);
    const id = reviewIdOf(order._id, productId);
    const content = { stars: input.stars, title: input.title, body: input.body, anonymous: input.anonymous };
    try {
      await ReviewModel.create({
        _id: id,
        order: order._id,
        product: new Types.ObjectId(productId),
        coop: new Types.ObjectId(item.coopId),
        productName: item.name,
        author: { user: order.buyer.user ?? null, email: order.buyer.email, locale: order.buyer.locale },
        displayName: firstNameAndInitial(order.address?.name ?? ''),
        purchasedAt: order.createdAt ?? new Date(),
        ...content,
      });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const again = await move(
        id,
        (r) => {
          if (r.status !== 'deleted') throw conflict('already_reviewed', 'You reviewed this product already');
          return { ...content, status: 'published', helpful: 0, openReports: 0, reply: null, editedAt: null, moderationNote: '' };
        },
        { counts: true },
      );
      return again;
    }
    await sync(id);
    await mailCoop(id);
    return (await ReviewModel.findById(id).lean<Review>())!;
  }

  /** The author changes their review (stars, title, text, name shown). A hidden review stays hidden. */
  async function edit(access: ReviewerAccess, productId: string, input: ReviewInput): Promise<Review> {
    const { order } = await itemFor(access, productId);
    return move(
      reviewIdOf(order._id, productId),
      (r) => {
        if (r.status === 'deleted') throw notFound('review_not_found', 'No such review');
        return { stars: input.stars, title: input.title, body: input.body, anonymous: input.anonymous, editedAt: new Date() };
      },
      { counts: true },
    );
  }

  /** The author deletes their review: it leaves the page and the ratings, and its words are not kept. */
  async function remove(access: ReviewerAccess, productId: string): Promise<void> {
    const { order } = await itemFor(access, productId);
    await move(
      reviewIdOf(order._id, productId),
      (r) => {
        if (r.status === 'deleted') throw notFound('review_not_found', 'No such review');
        return { status: 'deleted', title: '', body: '', reply: null, openReports: 0 };
      },
      { counts: true },
    );
  }

  /** The co-op's new-review mail, once per review (a claim). */
  async function mailCoop(id: string): Promise<void> {
    if (!(await claim(`review-mail:${id}`))) return;
    try {
      const r = (await ReviewModel.findById(id).lean<Review>())!;
      const coop = await findCoop(r.coop);
      const to = coop?.contact?.email;
      if (!to || !coop) return;
      await sendTemplate(mailer, {
        to,
        locale: 'it',
        template: 'reviews/coop-new-review',
        subjectKey: 'reviews.emails.coopNew.subject',
        data: { review: r, coopName: coop.name, url: `${config.publicUrl}/workspace/${coop.slug}/reviews` },
      });
    } catch (err) {
      // The review stands; the workspace shows it with its count in any case.
      logger.warn({ err, review: id }, 'new-review mail to the co-op failed');
    }
  }

  /** One "helpful" per visitor (a user, or a guest's session): false when they voted already. */
  async function vote(id: string, voter: string): Promise<{ counted: boolean; productId: string }> {
    const r = await ReviewModel.findById(id, { status: 1, product: 1 }).lean<Review>();
    if (!r || r.status !== 'published') throw notFound('review_not_found', 'No such review');
    try {
      await HelpfulVoteModel.create({ _id: `${id}|${voter}` });
    } catch (err) {
      if (isDuplicateKey(err)) return { counted: false, productId: String(r.product) };
      throw err;
    }
    await ReviewModel.updateOne({ _id: id }, { $inc: { helpful: 1 } });
    return { counted: true, productId: String(r.product) };
  }

  /** Anyone reports a shown review, with a reason; the admin's list shows it. */
  async function report(id: string, input: { reason: ReportReason; note: string }, by: string | null): Promise<Review> {
    const r = await ReviewModel.findById(id).lean<Review>();
    if (!r || r.status !== 'published') throw notFound('review_not_found', 'No such review');
    await ReviewReportModel.create({
      review: id,
      reason: input.reason,
      note: input.note,
      by: by && Types.ObjectId.isValid(by) ? by : null,
    });
    await ReviewModel.updateOne({ _id: id }, { $inc: { openReports: 1 } });
    return r;
  }

  /** The co-op's public reply (one per review; writing it again edits it). The review must be this co-op's. */
  async function reply(coopId: string, id: string, text: string, by: string): Promise<Review> {
    const owned = await ReviewModel.findById(id, { coop: 1 }).lean<Review>();
    if (!owned || String(owned.coop) !== coopId) throw notFound('review_not_found', 'No such review');
    return move(
      id,
      (r) => {
        if (r.status === 'deleted') throw notFound('review_not_found', 'No such review');
        const now = new Date();
        return { reply: { text, by: new Types.ObjectId(by), at: r.reply?.at ?? now, editedAt: r.reply ? now : null } };
      },
      { counts: false },
    );
  }

  /** An admin hides a review (it leaves the page and the averages) or shows it again; the author is told why. Audited. */
  async function moderate(id: string, action: 'hide' | 'restore' | 'dismiss', reason: string, adminId: string): Promise<Review> {
    const from = action === 'restore' ? 'hidden' : 'published';
    const before = await ReviewModel.findById(id).lean<Review>();
    const after = await move(
      id,
      (r) => {
        if (r.status !== from) throw conflict('review_not_' + from, `The review is ${r.status}`);
        if (action === 'dismiss') return { openReports: 0 };
        return { status: action === 'hide' ? 'hidden' : 'published', openReports: 0, moderationNote: reason };
      },
      { counts: action !== 'dismiss' },
    );
    await audit(
      adminId,
      action === 'hide' ? 'review.hide' : action === 'restore' ? 'review.restore' : 'review.dismiss',
      `review:${id}`,
      { status: before?.status, openReports: before?.openReports },
      { status: after.status, reason },
    );
    if (action !== 'dismiss') {
      try {
        await sendTemplate(mailer, {
          to: after.author.email,
          locale: after.author.locale,
          template: 'reviews/moderated',
          subjectKey: `reviews.emails.moderated.subject.${action}`,
          data: { review: after, action, reason },
        });
      } catch (err) {
        logger.warn({ err, review: id }, 'moderation mail to the author failed');
      }
    }
    return after;
  }

  /** One page of a product's shown reviews: one query, on its index, limited to the page. */
  async function forProduct(productId: string, sort: ReviewSort, page: number, perPage = REVIEWS_PER_PAGE): Promise<Review[]> {
    if (!Types.ObjectId.isValid(productId)) return [];
    const order: Record<string, 1 | -1> =
      sort === 'helpful' ? { helpful: -1, createdAt: -1 } : sort === 'lowest' ? { stars: 1, createdAt: -1 } : { createdAt: -1 };
    return ReviewModel.find({ product: new Types.ObjectId(productId), status: 'published' }, { author: 0, order: 0, moderationNote: 0 })
      .sort(order)
      .skip((page - 1) * perPage)
      .limit(perPage)
      .lean<Review[]>();
  }

  /** A co-op's reviews, newest first (its workspace page), and how many shown ones await a reply. */
  async function forCoop(coopId: string, limit = 100): Promise<{ reviews: Review[]; unanswered: number }> {
    const coop = new Types.ObjectId(coopId);
    const reviews = await ReviewModel.find({ coop, status: trusted({ $ne: 'deleted' }) }, { author: 0 })
      .sort({ createdAt: -1 })
      .limit(limit)
      .lean<Review[]>();
    return { reviews, unanswered: await unansweredCount(coopId) };
  }

  /** Shown reviews of the co-op without its reply yet (the workspace's count of new reviews). */
  async function unansweredCount(coopId: string): Promise<number> {
    return ReviewModel.countDocuments({ coop: new Types.ObjectId(coopId), status: 'published', reply: null });
  }

  /** Reviews with reports to deal with, and hidden ones, for the admin (a short list). */
  async function forModeration(): Promise<{
    reported: Review[];
    hidden: Review[];
    reasons: Map<string, { reason: string; note: string }[]>;
  }> {
    const [reported, hidden] = await Promise.all([
      ReviewModel.find({ openReports: trusted({ $gt: 0 }), status: 'published' })
        .sort({ openReports: -1, updatedAt: -1 })
        .limit(100)
        .lean<Review[]>(),
      ReviewModel.find({ status: 'hidden' }).sort({ updatedAt: -1 }).limit(100).lean<Review[]>(),
    ]);
    const ids = [...reported, ...hidden].map((r) => r._id);
    const reports = ids.length
      ? await ReviewReportModel.find({ review: trusted({ $in: ids }) })
          .sort({ at: -1 })
          .limit(1000)
          .lean()
      : [];
    const reasons = new Map<string, { reason: string; note: string }[]>();
    for (const rep of reports) {
      const list = reasons.get(rep.review) ?? [];
      list.push({ reason: rep.reason, note: rep.note ?? '' });
      reasons.set(rep.review, list);
    }
    return { reported, hidden, reasons };
  }

  return {
    reviewable,
    write,
    edit,
    remove,
    sync,
    syncDirty,
    vote,
    report,
    reply,
    moderate,
    forProduct,
    forCoop,
    unansweredCount,
    forModeration,
    monthOf,
    getReview: (id: string) => ReviewModel.findById(id).lean<Review>(),
  };
}

export type Reviews = ReturnType<typeof createReviews>;
