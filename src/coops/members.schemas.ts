import { z } from 'zod';
import { MEMBER_ROLES } from './membership.model';

export const InviteBody = z.object({
  email: z.string().trim().toLowerCase().max(254).pipe(z.email()),
  role: z.enum(MEMBER_ROLES),
});
export const RoleBody = z.object({ role: z.enum(MEMBER_ROLES) });
export const MembershipIdParam = z.string().regex(/^[a-f\d]{24}$/i);
export const InvitationIdParam = z.string().regex(/^[a-f\d]{64}$/);
