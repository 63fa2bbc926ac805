import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { CoopModel } from './coop.model';
import { MembershipModel } from './membership.model';
import { rightsChanged } from '../accounts';
import { slugOf } from '../platform/text';
import type { ApplicationInput } from './application.schemas';

/** A URL-safe slug from a co-op's name; a short random suffix when the name is taken. */
async function freeSlug(name: string): Promise<string> {
  const base = slugOf(name, 'coop');
  if (!(await CoopModel.exists({ slug: base }))) return base;
  return `${base}-${randomBytes(3).toString('hex')}`;
}

/**
 * A signed-in user applies to list a co-op: the co-op is created pending
 * (not public, no goods can be published) and the applicant becomes its
 * owner. An admin approves or rejects it (admin/), setting `rejectionReason`.
 * Returns the new co-op's slug.
 */
export async function applyToJoin(userId: string, input: ApplicationInput): Promise<{ id: string; slug: string }> {
  const slug = await freeSlug(input.name);
  const coop = await CoopModel.create({
    name: input.name,
    slug,
    legalName: input.legalName,
    vatNumber: input.vatNumber.replace(/\s/g, '').toUpperCase(),
    seat: input.seat,
    kind: input.kind,
    socialType: input.socialType,
    region: input.region,
    town: input.town,
    story: { it: input.storyIt, en: input.storyEn },
    contact: { email: input.email, phone: input.phone, website: input.website },
    impact: {
      members: input.members,
      integrationWorkers: input.integrationWorkers,
      trainingHours: input.trainingHours,
      supports: { it: input.supportsIt, en: input.supportsEn },
    },
    status: 'pending',
    appliedBy: new Types.ObjectId(userId),
  });
  try {
    await MembershipModel.create({ user: userId, coop: coop._id, role: 'owner' });
  } catch (err) {
    // Without its owner the application would be orphaned: take it back.
    await CoopModel.deleteOne({ _id: coop._id });
    throw err;
  }
  await rightsChanged(userId);
  return { id: String(coop._id), slug: coop.slug };
}

/** The applications a user made, newest first, with their status and an admin's reason. */
export async function applicationsOf(userId: string) {
  return CoopModel.find({ appliedBy: new Types.ObjectId(userId) }, { name: 1, slug: 1, status: 1, rejectionReason: 1, createdAt: 1 })
    .sort({ createdAt: -1 })
    .lean();
}
