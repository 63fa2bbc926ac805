import type { UserCoop } from '../accounts';
import { AppError } from '../platform/errors';
import type { EventBus } from '../platform/events';
import { trusted } from '../platform/db';
import { CoopModel } from './coop.model';
import { MembershipModel, type MemberRole } from './membership.model';

/** A user's co-ops with the role in each: what `req.user.coops` holds (accounts' loadUser asks for it). */
export async function membershipsOf(userId: string): Promise<UserCoop[]> {
  const memberships = await MembershipModel.find({ user: userId }, { coop: 1, role: 1 }).lean();
  if (memberships.length === 0) return [];
  const coops = await CoopModel.find({ _id: trusted({ $in: memberships.map((m) => m.coop) }) }, { slug: 1, name: 1, status: 1 }).lean();
  const byId = new Map(coops.map((c) => [String(c._id), c]));
  return memberships.flatMap((m) => {
    const c = byId.get(String(m.coop));
    return c ? [{ id: String(c._id), slug: c.slug, name: c.name, role: m.role as MemberRole, status: c.status }] : [];
  });
}

/**
 * What coops does when accounts announces a deletion: the last owner of a
 * co-op is refused (they hand it over first); once the account is gone,
 * its memberships go too.
 */
export function wireMemberships(events: EventBus): void {
  events.on('account.deleting', async ({ userId }) => {
    const owned = await MembershipModel.find({ user: userId, role: 'owner' }, { coop: 1 }).lean();
    for (const m of owned) {
      const owners = await MembershipModel.countDocuments({ coop: m.coop, role: 'owner' });
      if (owners <= 1) throw new AppError('last_owner', 'Hand the co-op over to another owner first', 409);
    }
  });
  events.on('account.deleted', async ({ userId }) => {
    await MembershipModel.deleteMany({ user: userId });
  });
}
