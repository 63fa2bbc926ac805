/**
 * The test data every feature's tests share: one factory per thing, one shape
 * per factory. This is the one test file that imports the models behind them,
 * so when a model moves, only the imports below change.
 */
import { randomBytes } from 'node:crypto';
import type { Types } from 'mongoose';
import { createUser } from '../../src/accounts';
import { CoopModel, type Coop } from '../../src/coops/coop.model';

const unique = (): string => randomBytes(5).toString('hex');

/** Every field optional, all the way down; ids and dates may also be given as strings. */
type Overrides<T> = {
  [K in keyof T]?: T[K] extends Date | Types.ObjectId | null | undefined
    ? T[K] | string
    : T[K] extends readonly unknown[]
      ? T[K]
      : T[K] extends object | null | undefined
        ? Overrides<NonNullable<T[K]>>
        : T[K];
};

/** The password of every user `makeUser` makes. */
export const PASSWORD = 'correct horse battery';

/** What `makeUser` returns: enough to sign in through the form or straight into a session. */
export interface TestUser {
  id: string;
  email: string;
  password: string;
}

/**
 * A user made through the accounts feature's own `createUser` (so it looks like
 * one who signed up: terms accepted, email verified unless `verified: false`),
 * with the password above and a unique email.
 */
export async function makeUser(overrides: { email?: string; name?: string; isAdmin?: boolean; verified?: boolean } = {}): Promise<TestUser> {
  const email = overrides.email ?? `user-${unique()}@example.test`;
  const user = await createUser({ name: overrides.name ?? 'Test User', email, password: PASSWORD, isAdmin: overrides.isAdmin, verified: overrides.verified });
  return { id: String(user._id), email, password: PASSWORD };
}

export type CoopOverrides = Overrides<Omit<Coop, '_id'>> & { _id?: Types.ObjectId };

/**
 * What `makeCoop` returns: the co-op as stored (a plain object, every default
 * filled in, as `.lean()` reads it) plus `id`, its `_id` as a string.
 */
export type TestCoop = Coop & { id: string };

/**
 * An approved co-op that a buyer could order from: unique name and slug (so a
 * facet or a search counts only its own), a story, impact figures, a contact
 * email and the default shipping terms; no Stripe account.
 *
 * `overrides` are the co-op's own fields. A nested object given (`shipping`,
 * `payouts`, …) replaces the default one, the model filling the fields it
 * leaves out with their schema defaults.
 */
export async function makeCoop(overrides: CoopOverrides = {}): Promise<TestCoop> {
  const s = unique();
  const doc = await CoopModel.create({
    name: `Coop ${s}`,
    slug: `coop-${s}`,
    kind: 'agricultural',
    socialType: 'B',
    region: 'Puglia',
    town: 'Bari',
    story: { it: `Storia della cooperativa ${s}`, en: `Story of co-op ${s}` },
    impact: { members: 10, integrationWorkers: 4, trainingHours: 120, supports: { it: 'Lavoro vero', en: 'Real work' } },
    contact: { email: `coop-${s}@example.test` },
    status: 'approved',
    ...overrides,
  });
  return { ...(doc.toObject() as Coop), id: String(doc._id) };
}

/**
 * An approved co-op with a Stripe connected account that has finished
 * onboarding and can receive transfers. For one whose account cannot yet,
 * override `payouts` (e.g. `{ payouts: { transfersActive: false } }`).
 */
export function makePayableCoop(overrides: CoopOverrides = {}): Promise<TestCoop> {
  return makeCoop({
    stripeAccountId: `acct_${unique()}`,
    payouts: { transfersActive: true, payoutsEnabled: true, detailsSubmitted: true },
    ...overrides,
  });
}
