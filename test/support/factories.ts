/**
 * The test data every feature's tests share: one factory per thing, one shape
 * per factory. Factories import the src modules they write through here and
 * nowhere else, so when a feature moves a model, only the imports below change.
 */
import { randomBytes } from 'node:crypto';
import type { Types } from 'mongoose';
import { createUser } from '../../src/accounts';
import { CoopModel, type Coop } from '../../src/coops/coop.model';
import { ProductModel, type Product } from '../../src/catalog/product.model';
import { StockLevelModel, stockId } from '../../src/catalog/stock.model';
import { catalogChanged, departmentOf, type Category, type IVA_RATES } from '../../src/catalog';
import type { Certification } from '../../src/catalog/categories';

/** A short random hex string, for names and emails no other test uses. */
export const unique = (): string => randomBytes(5).toString('hex');

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
export async function makeUser(
  overrides: { email?: string; name?: string; isAdmin?: boolean; verified?: boolean } = {},
): Promise<TestUser> {
  const email = overrides.email ?? `user-${unique()}@example.test`;
  const user = await createUser({
    name: overrides.name ?? 'Test User',
    email,
    password: PASSWORD,
    isAdmin: overrides.isAdmin,
    verified: overrides.verified,
  });
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

export interface ProductOverrides {
  category?: Category;
  nameIt?: string;
  nameEn?: string;
  descIt?: string;
  /** The one variant's price, when `variants` is not given. */
  priceCents?: number;
  ivaRate?: (typeof IVA_RATES)[number];
  /** The one variant's units on hand, when `variants` is not given. */
  stock?: number;
  certifications?: Certification[];
  seasonMonths?: number[];
  published?: boolean;
  archived?: boolean;
  createdAt?: Date;
  tags?: string[];
  variants?: { sku: string; priceCents: number; stock: number; it?: string; en?: string }[];
}

/** What `makeProduct` returns: the product as stored (a plain object) plus `id`, its `_id` as a string. */
export type TestProduct = Product & { id: string };

/**
 * A published product of `coop` (a jar of honey at 10,00 € with IVA at 10 %),
 * with one variant "default" and 10 units on hand unless `variants` or `stock`
 * say otherwise. It is written to the database only: the catalogue's read
 * model learns of it on its next reload (see `makeListedProduct`).
 */
export async function makeProduct(coop: { _id: Types.ObjectId; name: string }, o: ProductOverrides = {}): Promise<TestProduct> {
  const s = unique();
  const category = o.category ?? 'honey';
  const price = o.priceCents ?? 1000;
  const variants = o.variants ?? [{ sku: 'default', priceCents: price, stock: o.stock ?? 10 }];
  const name = { it: o.nameIt ?? `Prodotto ${s}`, en: o.nameEn ?? `Product ${s}` };
  const description = { it: o.descIt ?? 'Descrizione di prova.', en: 'A test description.' };
  const p = new ProductModel({
    coop: coop._id,
    department: departmentOf(category),
    category,
    slug: `prodotto-${s}`,
    name,
    description,
    priceCents: Math.min(...variants.map((v) => v.priceCents)),
    ivaRate: o.ivaRate ?? 10,
    unit: 'jar500g',
    variants: variants.map((v) => ({ sku: v.sku, priceCents: v.priceCents, label: { it: v.it ?? v.sku, en: v.en ?? v.sku } })),
    tags: o.tags ?? [],
    certifications: o.certifications ?? [],
    seasonMonths: o.seasonMonths ?? [],
    published: o.published ?? true,
    archived: o.archived ?? false,
    ...(o.createdAt ? { createdAt: o.createdAt } : {}),
  });
  await p.save();
  await StockLevelModel.insertMany(variants.map((v) => ({ _id: stockId(p._id, v.sku), product: p._id, sku: v.sku, onHand: v.stock })));
  return { ...(p.toObject() as Product), id: String(p._id) };
}

/**
 * `makeProduct`, then the catalogue's read model is told, as the workspace
 * does after an edit: for tests that put the product in a cart or check it out.
 */
export async function makeListedProduct(coop: { _id: Types.ObjectId; name: string }, o: ProductOverrides = {}): Promise<TestProduct> {
  const p = await makeProduct(coop, o);
  await catalogChanged();
  return p;
}

/** Units on hand of a product's variant, as stored (-1 when it has no stock level). */
export async function onHand(productId: Types.ObjectId, sku = 'default'): Promise<number> {
  return (await StockLevelModel.findById(stockId(productId, sku)).lean())?.onHand ?? -1;
}
