/** The two departments and their categories. Names live in locales/<lang>/catalog.json. */
export const DEPARTMENTS = {
  produce: ['vegetables', 'fruit', 'olive-oil', 'wine', 'honey', 'cheese', 'preserves', 'pasta-grains'],
  craft: ['clothing', 'bags-accessories', 'home-textiles', 'ceramics', 'wood'],
} as const;

export type Department = keyof typeof DEPARTMENTS;
export type Category = (typeof DEPARTMENTS)[Department][number];

export const DEPARTMENT_SLUGS = Object.keys(DEPARTMENTS) as Department[];
export const CATEGORY_SLUGS = Object.values(DEPARTMENTS).flat() as Category[];

export const isDepartment = (v: unknown): v is Department => typeof v === 'string' && Object.hasOwn(DEPARTMENTS, v);
export const isCategory = (v: unknown): v is Category => typeof v === 'string' && (CATEGORY_SLUGS as string[]).includes(v);

export function departmentOf(category: Category): Department {
  return DEPARTMENT_SLUGS.find((d) => (DEPARTMENTS[d] as readonly string[]).includes(category)) ?? 'produce';
}

/**
 * Selling units. `measure` and `amount` give the price per kg or litre
 * (a 500 g jar is 0.5 kg); a unit without them has no unit price.
 */
export const UNITS = {
  piece: {},
  kg: { measure: 'kg', amount: 1 },
  g250: { measure: 'kg', amount: 0.25 },
  g500: { measure: 'kg', amount: 0.5 },
  jar500g: { measure: 'kg', amount: 0.5 },
  jar250g: { measure: 'kg', amount: 0.25 },
  bottle75cl: { measure: 'l', amount: 0.75 },
  bottle50cl: { measure: 'l', amount: 0.5 },
  can3l: { measure: 'l', amount: 3 },
  l1: { measure: 'l', amount: 1 },
  crate5kg: { measure: 'kg', amount: 5 },
} as const satisfies Record<string, { measure?: 'kg' | 'l'; amount?: number }>;

export type Unit = keyof typeof UNITS;
export const UNIT_CODES = Object.keys(UNITS) as Unit[];

export const CERTIFICATIONS = ['organic', 'dop', 'igp', 'docg', 'doc', 'slow-food', 'fair-trade', 'gots', 'handmade'] as const;
export type Certification = (typeof CERTIFICATIONS)[number];

export const IVA_RATES = [4, 10, 22] as const;

/** Price per kg or litre in cents, or null when the unit has no measure. */
export function unitPrice(priceCents: number, unit: Unit): { cents: number; measure: 'kg' | 'l' } | null {
  const u = UNITS[unit] as { measure?: 'kg' | 'l'; amount?: number };
  if (!u.measure || !u.amount) return null;
  return { cents: Math.round(priceCents / u.amount), measure: u.measure };
}

/**
 * Goods the right of withdrawal does not cover (Codice del Consumo, art. 59):
 * `perishable` — goods that go off or expire quickly (fresh vegetables and
 * fruit, cheese); `custom` — goods made to the buyer's measure or clearly
 * personalised. The checkout says so when the cart holds any. Goods made to
 * measure have no category of their own yet: none is marked `custom`.
 */
export const WITHDRAWAL_EXCEPTIONS: Partial<Record<Category, 'perishable' | 'custom'>> = {
  vegetables: 'perishable',
  fruit: 'perishable',
  cheese: 'perishable',
};
export type WithdrawalException = 'perishable' | 'custom';

/** The withdrawal exception of a category, if it has one. */
export const withdrawalExceptionOf = (category: string): WithdrawalException | undefined =>
  isCategory(category) ? WITHDRAWAL_EXCEPTIONS[category] : undefined;
