import mongoose, { Schema, type Types } from 'mongoose';
import { MEMBER_ROLES, type MemberRole } from './membership.model';

export interface Invitation {
  /** sha256 of the token in the mailed link; the link itself is never stored. */
  _id: string;
  coop: Types.ObjectId;
  email: string;
  role: MemberRole;
  invitedBy: Types.ObjectId;
  expiresAt: Date;
  createdAt?: Date;
}

// Addressed by `_id` (the hash) when a link is followed; listed per co-op on
// the members page (few documents). Expired ones are removed by a periodic job.
export const InvitationModel = mongoose.model<Invitation>(
  'Invitation',
  new Schema<Invitation>(
    {
      _id: String,
      coop: { type: Schema.Types.ObjectId, ref: 'Coop', required: true },
      email: { type: String, required: true, lowercase: true, trim: true },
      role: { type: String, enum: MEMBER_ROLES, required: true },
      invitedBy: { type: Schema.Types.ObjectId, ref: 'User', required: true },
      expiresAt: { type: Date, required: true },
    },
    { versionKey: false, timestamps: { createdAt: true, updatedAt: false }, collection: 'invitations' },
  ),
);
