import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

import type { MemberRole } from '../accounts';

export const MEMBER_ROLES = ['owner', 'manager', 'staff'] as const satisfies readonly MemberRole[];
export type { MemberRole };

/** A user's role in one co-op. One document per (user, co-op). */
const membershipSchema = new Schema(
  {
    user: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    coop: { type: Schema.Types.ObjectId, ref: 'Coop', required: true },
    role: { type: String, enum: MEMBER_ROLES, required: true },
  },
  { timestamps: true, collection: 'memberships' },
);
membershipSchema.index({ user: 1, coop: 1 }, { unique: true });
membershipSchema.index({ coop: 1 });

export type Membership = InferSchemaType<typeof membershipSchema> & { _id: Types.ObjectId };
export const MembershipModel = mongoose.model('Membership', membershipSchema);
