import type { Request } from 'express';

/** What accounts announces; features above it listen (see platform/events.ts). */
declare module '../platform/events' {
  interface DomainEvents {
    /** A user just signed in; the new session already holds them. A failing listener is logged, never undoes the sign-in. */
    'account.signed_in': { req: Request; userId: string };
    /** Before an account is deleted: a listener refuses by throwing an AppError (e.g. the last owner of a co-op). */
    'account.deleting': { userId: string };
    /** After an account was anonymised, its tokens revoked and its sessions ended: remove what hangs on it. */
    'account.deleted': { userId: string };
  }
}

export {};
