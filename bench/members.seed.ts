import { createUser } from '../src/accounts/accounts.service';
import { CoopModel } from '../src/coops/coop.model';
import { MembershipModel } from '../src/coops/membership.model';

/** A co-op member the bench signs in: their address, password and co-op. */
export interface BenchMember {
  email: string;
  password: string;
  coop: string;
}

const PASSWORD = 'bench-member-password-2026';

/**
 * One manager in each of `count` approved co-ops of the synthetic catalogue
 * (each with some fifty goods), so the members' scenarios can measure many
 * members of many co-ops at once, not only the demo member.
 */
export async function seedMembers(count: number): Promise<BenchMember[]> {
  // The newest: the synthetic catalogue's, seeded after the demo co-ops.
  const coops = await CoopModel.find({ status: 'approved' }, { slug: 1 }).sort({ _id: -1 }).limit(count).lean();
  const members: BenchMember[] = [];
  for (const [i, c] of coops.entries()) {
    const email = `bench-member-${i}@example.test`;
    const user = await createUser({ name: `Socia ${i}`, email, password: PASSWORD, verified: true });
    await MembershipModel.create({ user: user._id, coop: c._id, role: 'manager' });
    members.push({ email, password: PASSWORD, coop: c.slug });
  }
  return members;
}
