import mongoose, { Schema, type Types } from 'mongoose';

/** A review is shown (`published`), taken down by an admin (`hidden`), or deleted by its author. */
export const REVIEW_STATUSES = ['published', 'hidden', 'deleted'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

/** Why someone reports a review. */
export const REPORT_REASONS = ['spam', 'offensive', 'off_topic', 'personal_data', 'not_a_buyer', 'other'] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];

/**
 * One buyer's review of one product of one order. `_id` is
 * "<orderId>-<productId>": the unique key that makes "once per product
 * per order" hold, whatever two submits race (the insert of the second
 * fails). `version` moves on every change of what the ratings count
 * (stars, status); `dirty` is set in that same write and cleared once the
 * product's and co-op's ratings count the version (reviews.service,
 * `sync`), so a crash in between is finished by the `reviews-sync` job.
 */
export interface Review {
  _id: string;
  order: Types.ObjectId;
  product: Types.ObjectId;
  coop: Types.ObjectId;
  /** The product's name when the review was written (the workspace and admin lists show it). */
  productName: { it: string; en: string };
  author: { user: Types.ObjectId | null; email: string; locale: 'it' | 'en' };
  /** First name and initial ("Maria R."), kept even when the author chose to be anonymous (never shown then). */
  displayName: string;
  anonymous: boolean;
  stars: number;
  title: string;
  body: string;
  /** When the order was placed: "verified purchase, March 2026". */
  purchasedAt: Date;
  status: ReviewStatus;
  /** The admin's reason for hiding or restoring (sent to the author). */
  moderationNote: string;
  helpful: number;
  /** Reports not yet dealt with by an admin. */
  openReports: number;
  reply: { text: string; by: Types.ObjectId | null; at: Date; editedAt: Date | null } | null;
  version: number;
  dirty: boolean;
  editedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const reviewSchema = new Schema<Review>(
  {
    _id: { type: String, required: true },
    order: { type: Schema.Types.ObjectId, required: true },
    product: { type: Schema.Types.ObjectId, required: true },
    coop: { type: Schema.Types.ObjectId, required: true },
    productName: { it: { type: String, default: '' }, en: { type: String, default: '' } },
    author: {
      user: { type: Schema.Types.ObjectId, default: null },
      email: { type: String, required: true },
      locale: { type: String, enum: ['it', 'en'], default: 'it' },
    },
    displayName: { type: String, default: '' },
    anonymous: { type: Boolean, default: false },
    stars: { type: Number, required: true, min: 1, max: 5 },
    title: { type: String, default: '' },
    body: { type: String, default: '' },
    purchasedAt: { type: Date, required: true },
    status: { type: String, enum: REVIEW_STATUSES, default: 'published' },
    moderationNote: { type: String, default: '' },
    helpful: { type: Number, default: 0 },
    openReports: { type: Number, default: 0 },
    reply: {
      type: new Schema(
        { text: String, by: { type: Schema.Types.ObjectId, default: null }, at: Date, editedAt: { type: Date, default: null } },
        { _id: false },
      ),
      default: null,
    },
    version: { type: Number, default: 1 },
    dirty: { type: Boolean, default: true },
    editedAt: { type: Date, default: null },
  },
  { timestamps: true, collection: 'reviews', versionKey: false },
);
// A product page's reviews: one query per sort, each served by its index and limited to a page.
reviewSchema.index({ product: 1, status: 1, createdAt: -1 });
reviewSchema.index({ product: 1, status: 1, helpful: -1, createdAt: -1 });
reviewSchema.index({ product: 1, status: 1, stars: 1, createdAt: -1 });
// The co-op's workspace list and the admin's reported list.
reviewSchema.index({ coop: 1, createdAt: -1 });
reviewSchema.index({ openReports: -1, updatedAt: -1 });
reviewSchema.index({ order: 1, product: 1 }, { unique: true });
reviewSchema.index({ dirty: 1 });

export const ReviewModel = mongoose.model<Review>('Review', reviewSchema);

/** One "helpful" per visitor per review: `_id` "<reviewId>|<voter>", inserted once. */
export const HelpfulVoteModel = mongoose.model(
  'ReviewVote',
  new Schema({ _id: String, at: { type: Date, default: () => new Date() } }, { collection: 'review_votes', versionKey: false }),
);

/** A report of a review, kept for the admin. */
export const ReviewReportModel = mongoose.model(
  'ReviewReport',
  new Schema(
    {
      review: { type: String, required: true },
      reason: { type: String, enum: REPORT_REASONS, required: true },
      note: { type: String, default: '' },
      by: { type: Schema.Types.ObjectId, default: null },
      at: { type: Date, default: () => new Date() },
    },
    { collection: 'review_reports', versionKey: false },
  ).index({ review: 1, at: -1 }),
);

/**
 * The review invitation of one order (`_id` the order id): `due` until it
 * is sent; the sender claims it `due` → `sending` with one conditional
 * update, so of two runners (or a retry) one sends; a send that failed
 * puts it back to `due`; one that crashed mid-way stays `sending`, never
 * sent twice. `skipped` when the buyer opted out or reviewed everything.
 */
export const INVITATION_STATES = ['due', 'sending', 'sent', 'skipped'] as const;
export interface ReviewInvitation {
  _id: string;
  state: (typeof INVITATION_STATES)[number];
  dueAt: Date;
  attempts: number;
  sentAt: Date | null;
}
export const ReviewInvitationModel = mongoose.model<ReviewInvitation>(
  'ReviewInvitation',
  new Schema<ReviewInvitation>(
    {
      _id: String,
      state: { type: String, enum: INVITATION_STATES, default: 'due' },
      dueAt: { type: Date, required: true },
      attempts: { type: Number, default: 0 },
      sentAt: { type: Date, default: null },
    },
    { collection: 'review_invitations', versionKey: false },
  ).index({ state: 1, dueAt: 1 }),
);

/** Addresses that asked for no more review invitations: `_id` the sha256 of the lower-cased address. */
export const ReviewOptOutModel = mongoose.model(
  'ReviewOptOut',
  new Schema({ _id: String, at: { type: Date, default: () => new Date() } }, { collection: 'review_optouts', versionKey: false }),
);
