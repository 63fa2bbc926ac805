import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { isDuplicateKey } from '../platform/claims';
import type { Config } from '../platform/config';
import { trusted } from '../platform/db';
import type { Job } from '../platform/jobs';
import type { Logger } from '../platform/logger';
import { sendTemplate, type Mailer } from '../platform/mail';
import { usersByIds } from '../accounts';
import { findShares, getOrder } from '../orders';
import { ReviewInvitationModel, ReviewModel, ReviewOptOutModel } from './review.model';
import { reviewIdOf } from './reviews.service';

/**
 * The one mail per order that invites the buyer to review what reached
 * them, about a week (config.reviews.inviteAfterDays) after the first of
 * its co-op shares was delivered or collected. Never more than one: the
 * invitation document (`_id` the order id) is inserted once, and the sender
 * claims it `due` → `sending` with one conditional update before sending,
 * so a second runner, a retry or a crash after the send never sends again.
 * A click on the mail's "no more of these" link stops all of them for that
 * address (a signed token, no sign-in needed).
 */

/** How far back a delivery may be for its order still to be invited. */
const LOOKBACK_MS = 90 * 86_400_000;
const BATCH = 50;

export interface InvitationDeps {
  mailer: Mailer;
  config: Config;
  logger: Logger;
  /** Test-only: called between steps with the order at hand, to stop a run there (a crash). */
  onStep?: (step: 'counted' | 'invitation-sent', id: string) => Promise<void> | void;
}

const emailHash = (email: string) => createHash('sha256').update(email.trim().toLowerCase()).digest('hex');

const optOutMac = (config: Config, orderId: string) =>
  createHmac('sha256', config.session.secret).update(`review-optout:${orderId}`).digest();

/**
 * The token of the "no more invitations" link: the order's id and an HMAC
 * of it with the app's secret. It names the order, not the address, so no
 * address travels in a URL (nor lands in a log).
 */
export function optOutToken(config: Config, orderId: string): string {
  return `${orderId}.${optOutMac(config, orderId).toString('base64url')}`;
}

/** The order a token names, or null when it was not made by us. */
export function orderOfOptOutToken(config: Config, token: string): string | null {
  const m = /^([a-f0-9]{24})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return null;
  const got = Buffer.from(m[2]!, 'base64url');
  const want = optOutMac(config, m[1]!);
  return got.length === want.length && timingSafeEqual(got, want) ? m[1]! : null;
}

/** The stop link was followed: no more invitations to the order's address, nor to its buyer's account's. */
export async function optOutByToken(config: Config, token: string): Promise<boolean> {
  const orderId = orderOfOptOutToken(config, token);
  const order = orderId ? await getOrder(orderId) : null;
  if (!order) return false;
  await optOut(order.buyer.email);
  const account = order.buyer.user ? (await usersByIds([order.buyer.user])).get(String(order.buyer.user)) : undefined;
  if (account) await optOut(account.email);
  return true;
}

/** No more review invitations for this address (idempotent). */
export async function optOut(email: string): Promise<void> {
  try {
    await ReviewOptOutModel.create({ _id: emailHash(email) });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
}

export const hasOptedOut = async (email: string): Promise<boolean> => !!(await ReviewOptOutModel.exists({ _id: emailHash(email) }));

export function createInvitations(deps: InvitationDeps) {
  const { config } = deps;
  const afterMs = config.reviews.inviteAfterDays * 86_400_000;

  /**
   * An invitation for each order with a share that reached the buyer,
   * due `inviteAfterDays` after it did. Inserted once (`_id` the order id).
   */
  async function schedule(now = new Date()): Promise<number> {
    const shares = await findShares({ statusIn: ['delivered', 'collected'], from: new Date(now.getTime() - LOOKBACK_MS) });
    const received = new Map<string, number>();
    for (const s of shares) {
      const at = [...s.history].reverse().find((h) => h.status === s.status)?.at ?? s.updatedAt ?? now;
      const order = String(s.order);
      received.set(order, Math.min(received.get(order) ?? Infinity, new Date(at).getTime()));
    }
    if (!received.size) return 0;
    const known = new Set(
      (await ReviewInvitationModel.find({ _id: trusted({ $in: [...received.keys()] }) }, { _id: 1 }).lean()).map((d) => d._id),
    );
    let made = 0;
    for (const [order, at] of received) {
      if (known.has(order)) continue;
      try {
        await ReviewInvitationModel.create({ _id: order, dueAt: new Date(at + afterMs) });
        made++;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
    }
    return made;
  }

  /** Sends the invitations that are due, each claimed first (see the top of this file). */
  async function sendDue(now = new Date()): Promise<{ sent: number; skipped: number; failed: number }> {
    const due = await ReviewInvitationModel.find({ state: 'due', dueAt: trusted({ $lte: now }) }, { _id: 1, attempts: 1 })
      .sort({ dueAt: 1 })
      .limit(BATCH)
      .lean();
    const out = { sent: 0, skipped: 0, failed: 0 };
    for (const inv of due) {
      const claimed = await ReviewInvitationModel.updateOne(
        { _id: inv._id, state: 'due' },
        { $set: { state: 'sending' }, $inc: { attempts: 1 } },
      );
      if (claimed.modifiedCount !== 1) continue;
      let outcome: 'sent' | 'skipped';
      try {
        outcome = await sendOne(inv._id);
      } catch (err) {
        // Nothing went out: it may be tried again later, backing off.
        deps.logger.warn({ err, order: inv._id }, 'review invitation not sent');
        const wait = Math.min(24, 2 ** (inv.attempts ?? 0)) * 3_600_000;
        await ReviewInvitationModel.updateOne(
          { _id: inv._id, state: 'sending' },
          { $set: { state: 'due', dueAt: new Date(now.getTime() + wait) } },
        );
        out.failed++;
        continue;
      }
      await deps.onStep?.('invitation-sent', inv._id);
      await ReviewInvitationModel.updateOne(
        { _id: inv._id, state: 'sending' },
        { $set: { state: outcome, sentAt: outcome === 'sent' ? new Date() : null } },
      );
      out[outcome]++;
    }
    return out;
  }

  /** The mail itself, unless the buyer opted out or has reviewed everything that reached them. */
  async function sendOne(orderId: string): Promise<'sent' | 'skipped'> {
    const order = await getOrder(orderId);
    if (!order || (await hasOptedOut(order.buyer.email))) return 'skipped';
    // A signed-in buyer who stopped them from a mail sent to their account's address (it may have changed since the order).
    const account = order.buyer.user ? (await usersByIds([order.buyer.user])).get(String(order.buyer.user)) : undefined;
    if (account && (await hasOptedOut(account.email))) return 'skipped';
    const productIds = [...new Set(order.lines.map((l) => String(l.product)))];
    const reviewed = await Promise.all(productIds.map((p) => ReviewModel.exists({ _id: reviewIdOf(order._id, p) })));
    if (reviewed.every(Boolean)) return 'skipped';
    const link = order.buyer.user
      ? `${config.publicUrl}/reviews/order/${String(order._id)}`
      : `${config.publicUrl}/reviews/link/${order.viewToken}`;
    await sendTemplate(deps.mailer, {
      to: order.buyer.email,
      locale: order.buyer.locale,
      template: 'reviews/invitation',
      subjectKey: 'reviews.emails.invitation.subject',
      data: {
        number: order.number,
        name: order.address?.name?.split(/\s+/)[0] ?? '',
        products: order.lines.filter((l, i, all) => all.findIndex((x) => String(x.product) === String(l.product)) === i).map((l) => l.name),
        link,
        stopLink: `${config.publicUrl}/reviews/stop/${optOutToken(config, String(order._id))}`,
      },
    });
    return 'sent';
  }

  /** The job: schedule what was delivered, then send what is due. */
  async function run(now = new Date()) {
    await schedule(now);
    return sendDue(now);
  }

  return { schedule, sendDue, run };
}

export type Invitations = ReturnType<typeof createInvitations>;

/** The reviews' periodic work: invitations, and finishing counts a crash left. */
export function reviewsJobs(services: { invitations: Invitations; syncDirty: () => Promise<number> }): Job[] {
  return [
    { name: 'review-invitations', everyMs: 15 * 60_000, run: () => services.invitations.run() },
    { name: 'reviews-sync', everyMs: 5 * 60_000, run: () => services.syncDirty() },
  ];
}
