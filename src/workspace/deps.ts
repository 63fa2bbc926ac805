import type { Request } from 'express';
import type { CurrentUser } from '../accounts';
import type { FrontDoor } from '../platform/front-door';
import type { CoreDeps } from '../platform/deps';
import type { PaymentGateway } from '../payments';
import type { Transfers } from '../payouts';
import type { Reviews } from '../reviews';
import { AppError } from '../platform/errors';
import { requireCoopRole } from '../coops';
import { ObjectIdParam } from './workspace.schemas';

/** What the workspace needs from the app; `payments` is absent until the payments feature provides it. */
export type WorkspaceDeps = Pick<CoreDeps, 'config' | 'mailer' | 'events'> & {
  payments?: PaymentGateway;
  /** Payouts' transfers: a share that moved may free its transfer. */
  transfers: Pick<Transfers, 'onShareFulfilmentChanged'>;
  /** Where members' kept pages may be answered before the chain runs (kept-pages.ts). */
  frontDoor?: FrontDoor<CurrentUser>;
  /** The reviews (the co-op's list and replies); absent, the workspace has no reviews page. */
  reviews?: Reviews;
};

/** The roles a workspace page asks for: staff fulfil orders, managers also edit goods and see the money, the owner connects payouts. */
export const staff = requireCoopRole('staff');
export const manager = requireCoopRole('manager');
export const owner = requireCoopRole('owner');

/** The co-op's workspace path, e.g. `/workspace/la-terra`. */
export const coopBase = (req: Request) => `/workspace/${req.coop!.slug}`;

/** An ObjectId from the URL, or a 404 with `code`. */
export function validId(raw: unknown, code = 'product_not_found'): string {
  const r = ObjectIdParam.safeParse(raw);
  if (!r.success) throw new AppError(code, 'Not found', 404);
  return r.data;
}
