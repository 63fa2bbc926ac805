import { z } from 'zod';
import { REPORT_REASONS } from './review.model';
import { plainText } from './plain-text';

/** Limits on what a review holds; the forms say them too. */
export const LIMITS = { title: 100, body: 2000, reply: 1500, note: 500 } as const;

const text = (max: number, multiline: boolean) =>
  z
    .string()
    .default('')
    .transform((s) => plainText(s, { multiline }))
    .pipe(z.string().max(max, 'reviews.errors.tooLong'));

export const ReviewSchema = z.object({
  stars: z.coerce
    .number({ message: 'reviews.errors.stars' })
    .int('reviews.errors.stars')
    .min(1, 'reviews.errors.stars')
    .max(5, 'reviews.errors.stars'),
  title: text(LIMITS.title, false),
  body: text(LIMITS.body, true),
  anonymous: z
    .string()
    .optional()
    .transform((v) => v === 'yes'),
});
export type ReviewInput = z.infer<typeof ReviewSchema>;

export const ReplySchema = z.object({ text: text(LIMITS.reply, true).pipe(z.string().min(1, 'reviews.errors.replyEmpty')) });

export const ReportSchema = z.object({
  reason: z.enum(REPORT_REASONS, { message: 'reviews.errors.reason' }),
  note: text(LIMITS.note, true),
});

export const ModerationSchema = z.object({
  reason: text(LIMITS.note, true).pipe(z.string().min(1, 'reviews.errors.moderationReason')),
});

export const ObjectIdParam = z.string().regex(/^[a-f0-9]{24}$/);
export const ReviewIdParam = z.string().regex(/^[a-f0-9]{24}-[a-f0-9]{24}$/);
export const ViewTokenParam = z.string().regex(/^[A-Za-z0-9_-]{43}$/);

export const REVIEW_SORTS = ['newest', 'helpful', 'lowest'] as const;
export type ReviewSort = (typeof REVIEW_SORTS)[number];
export const ProductReviewsQuery = z.object({
  rsort: z.enum(REVIEW_SORTS).catch('newest'),
  rpage: z.coerce.number().int().min(1).max(1000).catch(1),
});
