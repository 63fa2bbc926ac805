import type { Logger } from '../platform/logger';
import { CoopModel } from '../coops/coop.model';
import { MembershipModel } from '../coops/membership.model';
import { ProductModel } from '../catalog/product.model';
import { StockLevelModel, stockId } from '../catalog/stock.model';
import { departmentOf, DEPARTMENTS, type Category, type Unit } from '../catalog';
import { REGIONS, saveAccountState } from '../coops';
import { DemoGateway, type PaymentGateway } from '../payments';
import type { EventBus } from '../platform/events';
import { createUser, findUserByEmail } from '../accounts';
import { trusted } from '../platform/db';
import { LocalDiskStorage, type FileStorage } from '../platform/storage';
import { DEMO_ADMIN, DEMO_BUYER, DEMO_COOPS, DEMO_MEMBER, type DemoVariant } from './demo-data';
import { isCurrentDrawing, isDrawnKey, makeCoopImages, makeProductImage } from './demo-images';

interface ProductInput {
  coopId: string;
  coopName: string;
  /** "Town (Region)", for the traceability block. */
  place?: string;
  slug: string;
  category: Category;
  name: { it: string; en: string };
  description: { it: string; en: string };
  priceCents: number;
  ivaRate: number;
  unit: Unit;
  certifications: string[];
  seasonMonths: number[];
  tags: string[];
  variants: DemoVariant[];
  createdAt?: Date;
}

/** Care instructions by category, for textiles, ceramics and wood. */
const CARE: Partial<Record<Category, { it: string; en: string }>> = {
  clothing: {
    it: 'Lavare a mano in acqua fredda con sapone delicato; asciugare in piano, lontano da fonti di calore.',
    en: 'Hand wash cold with a mild soap; dry flat, away from direct heat.',
  },
  'home-textiles': {
    it: 'Lavatrice a 30 °C, programma delicato; stirare a temperatura media.',
    en: 'Machine wash at 30 °C on a gentle cycle; iron at a medium setting.',
  },
  'bags-accessories': { it: 'Pulire con un panno umido; non lavare in lavatrice.', en: 'Wipe with a damp cloth; do not machine wash.' },
  ceramics: {
    it: 'Lavabile in lavastoviglie a bassa temperatura; non adatta al microonde.',
    en: 'Dishwasher safe at low temperature; not suitable for the microwave.',
  },
  wood: {
    it: 'Lavare a mano, asciugare subito e ungere ogni tanto con olio alimentare.',
    en: 'Hand wash, dry at once and oil now and then with food-safe oil.',
  },
};

/** Materials named by a product's slug or tags (craft goods), in both languages. */
const MATERIALS: [RegExp, string, string][] = [
  [/lino/, 'Lino', 'Linen'],
  [/seta/, 'Seta', 'Silk'],
  [/cashmere/, 'Cashmere', 'Cashmere'],
  [/alpaca/, 'Alpaca e lana', 'Alpaca and wool'],
  [/feltro/, 'Feltro di lana', 'Wool felt'],
  [/merino|lana|orbace|gomitoli|plaid/, 'Lana', 'Wool'],
  [/vela|banner/, 'Tela di vela riciclata', 'Recycled sailcloth'],
  [/camera|copertone/, 'Gomma riciclata', 'Recycled rubber'],
  [/juta/, 'Juta e cotone', 'Jute and cotton'],
  [/jeans/, 'Denim riciclato', 'Recycled denim'],
  [/cera/, "Cera d'api", 'Beeswax'],
  [/ulivo/, "Legno d'ulivo", 'Olive wood'],
  [/castagno/, 'Legno di castagno', 'Chestnut wood'],
  [/faggio/, 'Legno di faggio', 'Beech wood'],
  [/noce/, 'Legno di noce', 'Walnut wood'],
  [/asfodelo/, 'Fibra di asfodelo', 'Asphodel fibre'],
  [/ceramica|piatt|tazza|vaso|ciotola|insalatiera|portauov|mattonella|oliera/, 'Maiolica', 'Majolica'],
  [
    /cotone|tela|grembiule|tovag|bandana|cuscino|runner|astuccio|tote|borsa|asciugamani|copriletto|tappeto|centrotavola/,
    'Cotone',
    'Cotton',
  ],
];

function hashOf(s: string): number {
  let h = 7;
  for (const ch of s) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h;
}

/** A lot, a harvest or making date in the past year, the place and (for craft) the materials. */
function traceabilityFor(p: ProductInput) {
  const h = hashOf(p.slug);
  const date = new Date(Date.UTC(2026, h % 10, 1 + (h % 27)));
  const craft = departmentOf(p.category) === 'craft';
  const haystack = `${p.slug} ${p.tags.join(' ')}`;
  const m = craft ? MATERIALS.find(([re]) => re.test(haystack)) : undefined;
  return {
    lot: `${craft ? 'LAB' : 'L'}-${date.getUTCFullYear()}-${String(h % 1000).padStart(3, '0')}`,
    date,
    place: p.place ?? '',
    materials: m ? { it: m[1], en: m[2] } : { it: '', en: '' },
  };
}

function productDoc(p: ProductInput) {
  return {
    coop: p.coopId,
    department: departmentOf(p.category),
    category: p.category,
    slug: p.slug,
    name: p.name,
    description: p.description,
    priceCents: Math.min(...p.variants.map((v) => v.priceCents)),
    ivaRate: p.ivaRate,
    unit: p.unit,
    variants: p.variants.map((v) => ({
      sku: v.sku,
      label: { it: v.it, en: v.en },
      size: v.size ?? '',
      colour: v.colour ?? '',
      priceCents: v.priceCents,
    })),
    tags: p.tags,
    certifications: p.certifications,
    seasonMonths: p.seasonMonths,
    traceability: traceabilityFor(p),
    care: CARE[p.category] ?? { it: '', en: '' },
    published: true,
    ...(p.createdAt ? { createdAt: p.createdAt, updatedAt: p.createdAt } : {}),
  };
}

/** Inserts the products whose slug is not taken yet, with their stock. Returns how many were new. */
async function insertMissingProducts(inputs: ProductInput[]): Promise<number> {
  const existing = new Set((await ProductModel.find({}, { slug: 1 }).lean()).map((p) => p.slug));
  const fresh = inputs.filter((p) => !existing.has(p.slug));
  for (let i = 0; i < fresh.length; i += 500) {
    const batch = fresh.slice(i, i + 500);
    const docs = await ProductModel.insertMany(batch.map(productDoc), { ordered: false });
    const stock = docs.flatMap((d, j) =>
      batch[j]!.variants.map((v) => ({ _id: stockId(d._id, v.sku), product: d._id, sku: v.sku, onHand: v.stock })),
    );
    await StockLevelModel.insertMany(stock, { ordered: false });
  }
  return fresh.length;
}

async function ensureUser(u: { email: string; password: string; name: string }, isAdmin = false) {
  const found = await findUserByEmail(u.email);
  if (found) return found.id;
  return String((await createUser({ ...u, isAdmin, verified: true }))._id);
}

/**
 * Seeds the demo co-ops, products, admin, member and buyer. Idempotent: what
 * exists (by slug or email) is left as it is, so it is safe on every start.
 */
export async function seedDemo(logger: Logger, opts: { uploadsDir?: string } = {}): Promise<{ coops: number; products: number }> {
  const existingCoops = new Map((await CoopModel.find({}, { slug: 1 }).lean()).map((c) => [c.slug, c._id]));
  let newCoops = 0;
  const inputs: ProductInput[] = [];
  for (const c of DEMO_COOPS) {
    let id = existingCoops.get(c.slug);
    if (!id) {
      const { products: _p, variants: _v, ...fields } = c;
      id = (
        await CoopModel.create({
          ...fields,
          legalName: `${c.name} Società Cooperativa Sociale`,
          status: 'approved',
          approvedAt: new Date(),
          contact: { email: `info@${c.slug}.example` },
        })
      )._id;
      newCoops++;
    } else {
      // A co-op seeded before co-ops had a P.IVA and seat gets its demo ones (never overwriting what someone set).
      await CoopModel.updateOne({ _id: id, vatNumber: '' }, { $set: { vatNumber: c.vatNumber, seat: c.seat } });
    }
    for (const [slug, category, nameIt, nameEn, descIt, descEn, price, iva, unit, certs, months, stock, tags] of c.products) {
      inputs.push({
        coopId: String(id),
        coopName: c.name,
        place: `${c.town} (${c.region})`,
        slug,
        category,
        name: { it: nameIt, en: nameEn },
        description: { it: descIt, en: descEn },
        priceCents: price,
        ivaRate: iva,
        unit,
        certifications: certs,
        seasonMonths: months,
        tags,
        variants: c.variants?.[slug] ?? [{ sku: 'default', it: '', en: '', priceCents: price, stock }],
      });
    }
  }
  const newProducts = await insertMissingProducts(inputs);
  if (opts.uploadsDir) await drawMissingImages(new LocalDiskStorage(opts.uploadsDir), logger);

  await ensureUser(DEMO_ADMIN, true);
  await ensureUser(DEMO_BUYER);
  const memberId = await ensureUser(DEMO_MEMBER);
  const memberCoop = await CoopModel.findOne({ slug: DEMO_MEMBER.coop }, { _id: 1 }).lean();
  if (memberCoop && !(await MembershipModel.exists({ user: memberId, coop: memberCoop._id }))) {
    await MembershipModel.create({ user: memberId, coop: memberCoop._id, role: 'owner' });
  }
  if (newCoops || newProducts) logger.info({ coops: newCoops, products: newProducts }, 'demo data seeded');
  return { coops: newCoops, products: newProducts };
}

/**
 * Gives every demo co-op a ready demo payout account, so transfers flow
 * without anyone completing onboarding by hand. Only with the demo payment
 * provider (a real Stripe account needs its real onboarding) and only for
 * co-ops with no account yet. Each step is idempotent (the account's key is
 * `account:<coopId>`, as onboarding uses), and the co-op is written last, so
 * a start cut short is finished by the next. `coop.account_ready` sends what
 * waited for an account (data from before demo accounts existed).
 */
export async function seedDemoPayoutAccounts(payments: PaymentGateway, events: EventBus): Promise<number> {
  if (!(payments instanceof DemoGateway)) return 0;
  const coops = await CoopModel.find(
    { slug: trusted({ $in: DEMO_COOPS.map((c) => c.slug) }), status: 'approved' },
    { stripeAccountId: 1, contact: 1 },
  ).lean();
  let n = 0;
  for (const c of coops.filter((x) => !x.stripeAccountId)) {
    const coopId = String(c._id);
    const account = await payments.createConnectedAccount({
      coopId,
      email: c.contact?.email || `${coopId}@filiera.test`,
      idempotencyKey: `account:${coopId}`,
    });
    const { state } = await payments.completeOnboarding(account.id);
    await saveAccountState(coopId, state);
    await events.emit('coop.account_ready', { coopId });
    n++;
  }
  return n;
}

/** Runs `fn` over `items`, `limit` at a time. */
async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

/**
 * Draws pictures for the demo co-ops that have none yet, and for the demo
 * products whose picture is missing or was drawn from an older version of
 * its drawing (the key carries the drawing's digest, demo-images.ts). A
 * co-op's own upload is never replaced. Idempotent.
 */
async function drawMissingImages(storage: FileStorage, logger: Logger): Promise<void> {
  const t0 = Date.now();
  const coops = await CoopModel.find({ slug: trusted({ $in: DEMO_COOPS.map((c) => c.slug) }), logo: '' }, { kind: 1, name: 1 }).lean();
  const pictures = new Map(DEMO_COOPS.flatMap((c) => c.products.map((p) => [p[0], p[13]] as const)));
  const products = (
    await ProductModel.find({ slug: trusted({ $in: [...pictures.keys()] }) }, { slug: 1, name: 1, images: 1 }).lean()
  ).filter((p) => {
    const images = p.images ?? [];
    const drawn = images.find((i) => isDrawnKey(i.key));
    return images.length === 0 || (drawn && !isCurrentDrawing(drawn.key, pictures.get(p.slug)!));
  });
  await eachLimited(coops, 2, async (c) => {
    const { logo, cover } = await makeCoopImages(storage, c.kind, c.name);
    await CoopModel.updateOne({ _id: c._id }, { $set: { logo, cover } });
  });
  await eachLimited(products, 4, async (p) => {
    const image = await makeProductImage(storage, pictures.get(p.slug)!, { it: p.name?.it ?? '', en: p.name?.en ?? '' });
    const old = (p.images ?? []).find((i) => isDrawnKey(i.key));
    const images = old ? (p.images ?? []).map((i) => (i === old ? image : i)) : [image];
    await ProductModel.updateOne({ _id: p._id }, { $set: { images } });
    // A copied product (goods "duplicate") may share the old drawing's files.
    if (old && !(await ProductModel.exists({ 'images.key': old.key })))
      await Promise.all((old.widths ?? []).map((w) => storage.remove(`${old.key}-${w}.webp`)));
  });
  if (coops.length || products.length)
    logger.info({ coops: coops.length, products: products.length, ms: Date.now() - t0 }, 'demo pictures drawn');
}

const ADJECTIVES = [
  ['rustico', 'rustic'],
  ['antico', 'heirloom'],
  ['di collina', 'hill-grown'],
  ['artigianale', 'artisan'],
  ['della casa', 'house'],
  ['fine', 'fine'],
  ['tradizionale', 'traditional'],
  ['di montagna', 'mountain'],
] as const;

/**
 * A large synthetic catalogue for load tests: `coops` extra co-ops and
 * `products` products spread over them and every category. Idempotent by slug.
 */
export async function seedLarge(logger: Logger, opts: { products: number; coops: number }): Promise<void> {
  const existing = new Map((await CoopModel.find({ slug: /^bench-coop-/ }, { slug: 1, name: 1 }).lean()).map((c) => [c.slug, c]));
  const coops: { id: string; name: string }[] = [];
  const toCreate = [];
  for (let i = 0; i < opts.coops; i++) {
    const slug = `bench-coop-${i}`;
    const found = existing.get(slug);
    if (found) coops.push({ id: String(found._id), name: found.name });
    else
      toCreate.push({
        slug,
        name: `Cooperativa Banco ${i}`,
        kind: i % 2 ? 'craft' : 'agricultural',
        socialType: (['A', 'B', 'none'] as const)[i % 3],
        region: REGIONS[i % REGIONS.length],
        town: 'Paese',
        status: 'approved',
        story: { it: 'Cooperativa di prova per i test di carico.', en: 'A test co-op for load tests.' },
      });
  }
  if (toCreate.length) {
    const made = await CoopModel.insertMany(toCreate);
    coops.push(...made.map((c) => ({ id: String(c._id), name: c.name })));
  }
  const categories = Object.values(DEPARTMENTS).flat() as Category[];
  const inputs: ProductInput[] = [];
  const t0 = Date.now();
  for (let i = 0; i < opts.products; i++) {
    const coop = coops[i % coops.length]!;
    const category = categories[i % categories.length]!;
    const [adjIt, adjEn] = ADJECTIVES[i % ADJECTIVES.length]!;
    const price = 200 + ((i * 7919) % 20000);
    inputs.push({
      coopId: coop.id,
      coopName: coop.name,
      slug: `bench-product-${i}`,
      category,
      name: { it: `Prodotto ${adjIt} ${i}`, en: `${adjEn} product ${i}` },
      description: { it: `Un prodotto ${adjIt} numero ${i} per i test di carico.`, en: `A ${adjEn} product number ${i} for load tests.` },
      priceCents: price,
      ivaRate: departmentOf(category) === 'produce' ? 4 : 22,
      unit: departmentOf(category) === 'produce' ? 'kg' : 'piece',
      certifications: i % 5 === 0 ? ['organic'] : [],
      seasonMonths: i % 4 === 0 ? [(i % 12) + 1] : [],
      tags: [category],
      variants: [{ sku: 'default', it: '', en: '', priceCents: price, stock: i % 10 === 0 ? 0 : 50 }],
      createdAt: new Date(t0 - i * 60_000),
    });
  }
  const n = await insertMissingProducts(inputs);
  logger.info({ products: n, coops: toCreate.length }, 'large catalogue seeded');
}
