/**
 * Reviews from people who bought (between orders and payouts): who may
 * review, the reviews and their ratings, the co-op's reply, moderation and
 * the review invitation mail. The catalogue shows ratings it keeps itself
 * (written here through catalog's `countReview`) and the product page's
 * reviews through the section createApp hands it; the workspace and admin
 * build their pages on the service below.
 */
export {
  createReviews,
  reviewIdOf,
  REVIEWS_PER_PAGE,
  type Reviews,
  type ReviewsDeps,
  type ReviewerAccess,
  type ReviewableItem,
} from './reviews.service';
export { createInvitations, reviewsJobs, optOut, hasOptedOut, optOutToken, optOutByToken, type Invitations } from './invitations';
export { reviewsRoutes, type ReviewsRoutesDeps } from './reviews.routes';
export { productSection } from './product-section';
export { REVIEW_STATUSES, REPORT_REASONS, INVITATION_STATES, type Review, type ReviewStatus, type ReportReason } from './review.model';
export { ReplySchema, ModerationSchema, ReviewIdParam, LIMITS as REVIEW_LIMITS } from './reviews.schemas';
export { plainText, firstNameAndInitial } from './plain-text';
