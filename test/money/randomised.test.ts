import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import mongoose, { Types } from 'mongoose';
import { advanceShare } from '../../src/workspace/fulfilment.service';
import { shareId } from '../../src/orders';
import { OrderModel } from '../../src/orders/order.model';
import { CoopShareModel } from '../../src/orders/coop-share.model';
import { PaymentProviderError, StripeGateway, type PaymentGateway, type TransferGroupMoney, type WebhookEvent } from '../../src/payments';
import { owedBy } from '../../src/payouts/balances.service';
import { LedgerEntryModel } from '../../src/payouts/ledger.model';
import { reconcileOrder } from '../../src/payouts/reconciliation.service';
import { RefundModel } from '../../src/payouts/refund.model';
import { createRefund, lineRefundCents, refundable, retryRefund } from '../../src/payouts/refunds.service';
import { getPayoutSettings, setPayoutSettings, type PayoutSettingsView } from '../../src/payouts/settings.service';
import { TransferModel, transferId } from '../../src/payouts/transfer.model';
import { trusted } from '../../src/platform/db';
import { isAppError } from '../../src/platform/errors';
import { createLogger } from '../../src/platform/logger';
import { applyPromotions, shareMoney, type PricedPromotion } from '../../src/promotions';
import { CountingGateway } from '../payouts/fixtures';
import { MemoryMailer, buildServices, testConfig } from '../support/app';
import { startStripeCounter, type StripeCounter } from '../support/stripe-counter';
import { makePayableCoop } from '../support/factories';

/**
 * The randomised money test (issue 14). Many orders across several co-ops,
 * driven through the real services concurrently in batches: payment through
 * the webhook's handler (sometimes delivered twice at once), shipments and
 * deliveries by the co-ops, admin releases, partial and full refunds before
 * and after the transfer went, co-ops whose Stripe balance cannot cover a
 * reversal, and Stripe timeouts after Stripe acted. Then, for every order and
 * every co-op, the ledger is checked to the cent, and against the writes that
 * actually reached Stripe (stripe-mock behind a counting proxy that keeps
 * Stripe's idempotency promise).
 *
 * Size and replay: FILIERA_MONEY_ORDERS (100 in `npm test`; `npm run
 * test:money` runs 1,000, far longer than the suite may take on our 2-core
 * machines), FILIERA_MONEY_BATCH (orders run at once, default 25),
 * FILIERA_SEED (printed at the start; the same seed plans the same orders
 * and steps; the interleaving of concurrent steps is up to the machine). FILIERA_MONEY_DUMP=1 prints every order's
 * ledger and Stripe writes, for checking the bookkeeping by hand;
 * FILIERA_MONEY_PROFILE=1 where the database time went; FILIERA_MONEY_FAULTS=0
 * runs without injected faults.
 */
const ORDERS = Number(process.env.FILIERA_MONEY_ORDERS ?? 100);
const BATCH = Number(process.env.FILIERA_MONEY_BATCH ?? 25);
const SEED = process.env.FILIERA_SEED ? Number(process.env.FILIERA_SEED) : randomBytes(4).readUInt32BE(0);
const DUMP = process.env.FILIERA_MONEY_DUMP === '1';
/** FILIERA_MONEY_FAULTS=0: no short balances and no lost answers (to tell a fault's effect from the rest). */
const FAULTS = process.env.FILIERA_MONEY_FAULTS !== '0';
const COOPS = 6;

/** A small seeded generator (mulberry32). */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Coop = { id: string; bps: number };
type Step =
  | { kind: 'ship'; coop: string; deliver: boolean }
  | { kind: 'release'; coop: string }
  | { kind: 'refund'; full: boolean; coops: string[]; byLines: boolean; fraction: number };
interface Planned {
  n: number;
  orderId: string;
  number: string;
  total: number;
  /** gross: what the buyer paid for the share (after discounts); platformDiscount: what the platform gave of it. */
  shares: { coop: string; gross: number; net: number; commission: number; platformDiscount: number; coopDiscount: number }[];
  payTwice: boolean;
  steps: Step[];
}

/** What the test did, to show the run covered each situation. */
const seen = {
  paidTwice: 0,
  shipped: 0,
  delivered: 0,
  released: 0,
  refundsPartial: 0,
  refundsFull: 0,
  /** Refunds by lines whose units' share of a discounted line's paid price came to nothing: refused, as they must be. */
  refundsEmpty: 0,
  refundsAfterTransfer: 0,
  reversalsRefused: 0,
  transferTimeouts: 0,
  refundTimeouts: 0,
  refundFailures: 0,
  platformDiscounts: 0,
  coopDiscounts: 0,
  negativeTakes: 0,
};

/**
 * The Stripe gateway the services use, pointed at the counting proxy, with
 * the failures a real Stripe gives: a co-op short of balance (its reversal is
 * refused before it reaches Stripe), and a timeout after Stripe made the
 * transfer or refund (the request is counted; our side sees an error).
 */
class FaultyStripe extends CountingGateway {
  short = new Set<string>();
  timeoutRate = 0;
  constructor(
    inner: PaymentGateway,
    private readonly rand: () => number,
  ) {
    super(inner);
  }
  override createTransfer: PaymentGateway['createTransfer'] = async (i) => {
    const r = await this.inner.createTransfer(i);
    if (this.rand() < this.timeoutRate) {
      seen.transferTimeouts++;
      throw new PaymentProviderError('timeout', 'Stripe did not answer in time (it made the transfer)', true);
    }
    return r;
  };
  override createRefund: PaymentGateway['createRefund'] = async (i) => {
    const r = await this.inner.createRefund(i);
    if (this.rand() < this.timeoutRate) {
      seen.refundTimeouts++;
      throw new PaymentProviderError('timeout', 'Stripe did not answer in time (it made the refund)', true);
    }
    return r;
  };
  override createReversal: PaymentGateway['createReversal'] = async (i) => {
    if (this.short.has(i.metadata.coopId ?? '')) {
      seen.reversalsRefused++;
      throw new PaymentProviderError('balance_insufficient', 'The connected account has insufficient funds', false);
    }
    return this.inner.createReversal(i);
  };
}

/**
 * Discounts of both funders (issue 20), priced by promotions' own
 * `applyPromotions`: a code funded by the platform (a percentage or a fixed
 * amount on everything) or by one of the order's co-ops (a percentage on its
 * goods), sometimes with a stackable automatic free shipping from a co-op,
 * funded by it or by the platform. Large platform discounts on a low
 * commission make the platform's take on a share negative.
 */
type DiscountPlan = { code: PricedPromotion | null; automatic: PricedPromotion[] };

function planDiscounts(rand: () => number, coopIds: string[]): DiscountPlan {
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const base = { minBasketCents: 0, stackable: false, scope: { kind: 'all' as const } };
  const r = rand();
  const code: PricedPromotion | null =
    r < 0.3
      ? null
      : r < 0.55
        ? {
            ...base,
            id: 'p1',
            code: 'PLAT',
            name: 'Platform',
            funder: { kind: 'platform' },
            value: { kind: 'percent', bps: pick([500, 1000, 2500, 3333]) },
          }
        : r < 0.75
          ? {
              ...base,
              id: 'p2',
              code: 'FIXED',
              name: 'Fixed',
              funder: { kind: 'platform' },
              value: { kind: 'fixed', cents: pick([100, 333, 500, 1999]) },
            }
          : {
              ...base,
              id: 'p3',
              code: 'COOP',
              name: 'Co-op',
              funder: { kind: 'coop', coopId: pick(coopIds) },
              value: { kind: 'percent', bps: pick([700, 1000, 1500]) },
            };
  const automatic: PricedPromotion[] = [];
  if (rand() < 0.25) {
    const coopId = pick(coopIds);
    automatic.push({
      ...base,
      id: 'p4',
      code: null,
      name: 'Free shipping',
      stackable: true,
      funder: rand() < 0.5 ? { kind: 'coop', coopId } : { kind: 'platform' },
      value: { kind: 'free_shipping', coopId },
    });
  }
  return { code, automatic };
}

/** An unpaid order with one share per co-op, written directly (checkout is the orders feature's subject). */
async function placeOrder(
  n: number,
  specs: { coop: Coop; lines: { unitCents: number; quantity: number }[]; shippingCents: number }[],
  discounts: DiscountPlan = { code: null, automatic: [] },
): Promise<Omit<Planned, 'payTwice' | 'steps'>> {
  const orderId = new Types.ObjectId();
  const number = `FIL-R-${SEED}-${n}-${randomBytes(3).toString('hex')}`;
  const priced = applyPromotions(
    specs.map((sp) => ({
      coopId: sp.coop.id,
      shippingCents: sp.shippingCents,
      lines: sp.lines.map((l, i) => ({
        key: `${sp.coop.id}:${i}`,
        productId: `${sp.coop.id}:${i}`,
        coopId: sp.coop.id,
        department: 'produce',
        lineCents: l.unitCents * l.quantity,
      })),
    })),
    discounts.code,
    discounts.automatic,
  );
  const lines = specs.flatMap((sp) =>
    sp.lines.map((l, i) => {
      const parts = priced.lines.get(`${sp.coop.id}:${i}`) ?? [];
      return {
        product: new Types.ObjectId(),
        sku: `sku-${i}`,
        coop: new Types.ObjectId(sp.coop.id),
        name: { it: `Prodotto ${i}`, en: `Product ${i}` },
        variantLabel: { it: '', en: '' },
        unitCents: l.unitCents,
        quantity: l.quantity,
        ivaRate: 10,
        lineCents: l.unitCents * l.quantity,
        discountCents: parts.reduce((a, p) => a + p.cents, 0),
        discounts: parts,
      };
    }),
  );
  const money = specs.map((sp) =>
    shareMoney(
      sp.lines.reduce((a, l) => a + l.unitCents * l.quantity, 0),
      sp.shippingCents,
      sp.coop.bps,
      priced.groups.get(sp.coop.id)!,
    ),
  );
  const coops = specs.map((sp, i) => ({
    coop: new Types.ObjectId(sp.coop.id),
    name: 'Coop',
    delivery: 'ship' as const,
    subtotalCents: sp.lines.reduce((a, l) => a + l.unitCents * l.quantity, 0),
    shippingCents: sp.shippingCents,
    discountCents: money[i]!.discountCents,
    shippingDiscountCents: money[i]!.shippingDiscountCents,
  }));
  const total = money.reduce((a, m) => a + m.paidCents, 0);
  await OrderModel.create({
    _id: orderId,
    number,
    status: 'pending_payment',
    buyer: { email: `buyer-${n}@test.filiera`, locale: 'it' },
    address: { name: 'A', line1: 'Via Roma 1', postalCode: '70100', city: 'Bari', country: 'IT' },
    lines,
    coops,
    subtotalCents: coops.reduce((a, c) => a + c.subtotalCents, 0),
    shippingCents: coops.reduce((a, c) => a + c.shippingCents, 0),
    discountCents: priced.totalCents,
    totalCents: total,
    currency: 'eur',
    viewToken: `r-${number}`,
    payment: { sessionId: `cs_test_${number}` },
  });
  const shares = [];
  for (const [i, sp] of specs.entries()) {
    const c = coops[i]!;
    const m = money[i]!;
    const g = priced.groups.get(sp.coop.id)!;
    await CoopShareModel.create({
      _id: shareId(orderId, sp.coop.id),
      order: orderId,
      orderNumber: number,
      coop: c.coop,
      coopName: 'Coop',
      delivery: 'ship',
      subtotalCents: c.subtotalCents,
      shippingCents: c.shippingCents,
      commissionBps: sp.coop.bps,
      commissionCents: m.commissionCents,
      netCents: m.netCents,
      discountCents: m.discountCents,
      coopDiscountCents: m.coopDiscountCents,
      platformDiscountCents: m.platformDiscountCents,
      shippingDiscountCents: m.shippingDiscountCents,
      discounts: [...lines.filter((l) => String(l.coop) === sp.coop.id).flatMap((l) => l.discounts), ...g.shipping],
      status: 'pending_payment',
      history: [],
    });
    shares.push({
      coop: sp.coop.id,
      gross: m.paidCents,
      net: m.netCents,
      commission: m.commissionCents,
      platformDiscount: m.platformDiscountCents,
      coopDiscount: m.coopDiscountCents,
    });
  }
  return { n, orderId: String(orderId), number, total, shares };
}

/** `checkout.session.completed` as Stripe sends it (PaymentIntent expanded with its charge). */
function paidEvent(o: Planned): WebhookEvent {
  return {
    id: `evt_${o.number}`,
    type: 'checkout.session.completed',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    object: {
      id: `cs_test_${o.number}`,
      object: 'checkout.session',
      mode: 'payment',
      amount_total: o.total,
      currency: 'eur',
      client_reference_id: o.orderId,
      metadata: { orderId: o.orderId, orderNumber: o.number },
      payment_status: 'paid',
      status: 'complete',
      payment_intent: { id: `pi_${o.number}`, object: 'payment_intent', latest_charge: `ch_${o.number}` },
    },
  };
}

/** Stripe's objects for an order's transfer group, as the writes that reached Stripe made them (and the charge the buyer paid). */
function stripeGroupOf(counter: StripeCounter, o: Planned): TransferGroupMoney {
  const mine = counter.made(/^\/v1\//).filter((r) => r.params['metadata[orderId]'] === o.orderId);
  const reversals = mine.filter((r) => /^\/v1\/transfers\/[^/]+\/reversals$/.test(r.path));
  const refunds = mine
    .filter((r) => r.path === '/v1/refunds')
    .map((r) => ({ id: r.objectId!, amount: r.amount!, status: 'succeeded', chargeId: `ch_${o.number}`, metadata: {} }));
  return {
    charges: [
      {
        id: `ch_${o.number}`,
        amount: o.total,
        amountRefunded: refunds.reduce((a, r) => a + r.amount, 0),
        status: 'succeeded',
        paymentIntentId: `pi_${o.number}`,
      },
    ],
    transfers: mine
      .filter((r) => r.path === '/v1/transfers')
      .map((t) => {
        const own = reversals
          .filter((r) => r.path === `/v1/transfers/${t.objectId}/reversals`)
          .map((r) => ({ id: r.objectId!, amount: r.amount!, metadata: { coopId: r.params['metadata[coopId]'] ?? '' } }));
        return {
          id: t.objectId!,
          amount: t.amount!,
          destination: t.params.destination ?? '',
          amountReversed: own.reduce((a, r) => a + r.amount, 0),
          metadata: { coopId: t.params['metadata[coopId]'] ?? '' },
          reversals: own,
        };
      }),
    refunds,
  };
}

interface Violation {
  invariant: string;
  subject: string;
  detail: string;
}

/** FILIERA_MONEY_PROFILE=1: where the database time goes, by model, operation and filter keys. */
function profileQueries(): () => string {
  const stats = new Map<string, { n: number; ms: number }>();
  const proto = mongoose.Query.prototype as unknown as { exec: (...a: unknown[]) => Promise<unknown> };
  const exec = proto.exec;
  proto.exec = async function (this: mongoose.Query<unknown, unknown>, ...a: unknown[]) {
    const t0 = performance.now();
    try {
      return await exec.apply(this, a);
    } finally {
      const key = `${this.model.modelName}.${(this as unknown as { op: string }).op} {${Object.keys(this.getFilter()).join(',')}}`;
      const s = stats.get(key) ?? { n: 0, ms: 0 };
      s.n++;
      s.ms += performance.now() - t0;
      stats.set(key, s);
    }
  };
  return () => {
    proto.exec = exec;
    return [...stats]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, 15)
      .map(([k, v]) => `      ${k}: ${v.n} × ${(v.ms / v.n).toFixed(1)} ms = ${(v.ms / 1000).toFixed(1)} s`)
      .join('\n');
  };
}

describe('money, over many random orders', function () {
  let counter: StripeCounter;
  let gw: FaultyStripe;
  /** The services as the app composes them (payments' handlers, orders, payouts on one bus), all through `gw`. */
  let services: ReturnType<typeof buildServices>;
  let settingsBefore: PayoutSettingsView;
  const mailer = new MemoryMailer();
  const logger = createLogger('silent', false);

  before(async () => {
    const mock = testConfig().stripe;
    counter = await startStripeCounter({ host: mock.host ?? '127.0.0.1', port: mock.port! });
    gw = new FaultyStripe(new StripeGateway({ ...mock, port: counter.port }, { maxNetworkRetries: 0 }), rng(SEED ^ 0x5eed));
    services = buildServices({ payments: gw, mailer, logger });
    settingsBefore = await getPayoutSettings();
    // Transfers wait for the shipment (or an admin's release): refunds come before and after them.
    await setPayoutSettings({ holdPolicy: 'on_shipped', holdDays: 14 });
  });
  after(async () => {
    await setPayoutSettings(settingsBefore);
    await counter?.close();
  });

  it(`keeps every order and every co-op to the cent, and the ledger equal to what reached Stripe (${ORDERS} orders)`, async function () {
    this.timeout(0);
    console.log(`      seed ${SEED} (replay: FILIERA_SEED=${SEED}), ${ORDERS} orders, ${BATCH} at once`);
    const started = Date.now();
    const profile = process.env.FILIERA_MONEY_PROFILE === '1' ? profileQueries() : null;
    const rand = rng(SEED);
    const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
    const coops: Coop[] = [];
    for (let i = 0; i < COOPS; i++) coops.push({ id: (await makePayableCoop()).id, bps: [0, 800, 1000, 1250, 1500, 2000][i]! });
    const events = services.paymentEvents;
    const shareMoved = { mailer, logger, transfers: services.payouts.transfers };
    const member = String(new Types.ObjectId());
    const unexpected: Violation[] = [];
    const orders: Planned[] = [];

    /** One order's life: paid, then its shipments, releases and refunds in a random order. */
    async function live(o: Planned): Promise<void> {
      const pay = () => events.processWebhook(paidEvent(o), 'platform', JSON.stringify(paidEvent(o)));
      await (o.payTwice ? Promise.all([pay(), pay()]) : pay());
      for (const step of o.steps) {
        try {
          if (step.kind === 'ship') {
            const share = `${o.orderId}:${step.coop}`;
            const now = await CoopShareModel.findById(share, { status: 1 }).lean();
            // A share refunded in full is not shipped.
            if (now?.status === 'refunded') continue;
            await advanceShare(shareMoved, {
              coopId: step.coop,
              shareId: share,
              to: 'shipped',
              by: member,
              carrier: 'BRT',
              trackingNumber: `T${o.n}`,
            });
            seen.shipped++;
            if (step.deliver) {
              await advanceShare(shareMoved, { coopId: step.coop, shareId: share, to: 'delivered', by: member });
              seen.delivered++;
            }
          } else if (step.kind === 'release') {
            await services.payouts.transfers.releaseTransfer(transferId(o.orderId, step.coop), 'admin');
            seen.released++;
          } else {
            const r = await refundable(o.orderId);
            const sentBefore = (
              await Promise.all(step.coops.map((c) => TransferModel.findById(transferId(o.orderId, c), { status: 1 }).lean()))
            ).some((t) => t?.status === 'sent' || t?.status === 'reversed');
            // By lines: units still unrefunded, within what remains of the co-op's part (earlier refunds by amount count too).
            const budget = new Map(r.coops.map((c) => [c.coopId, c.remaining]));
            const lines = [];
            for (const l of r.lines.filter((x) => step.coops.includes(x.coopId))) {
              const most = Math.min(l.remainingQty, Math.floor(budget.get(l.coopId)! / l.unitCents));
              const quantity = step.full ? most : Math.min(most, Math.max(1, Math.floor(most * step.fraction)));
              if (quantity <= 0) continue;
              budget.set(l.coopId, budget.get(l.coopId)! - quantity * l.unitCents);
              lines.push({ index: l.index, quantity });
            }
            const req = step.byLines
              ? { mode: 'lines' as const, lines }
              : {
                  mode: 'amounts' as const,
                  amounts: r.coops
                    .filter((c) => step.coops.includes(c.coopId) && c.remaining > 0)
                    .map((c) => ({
                      coopId: c.coopId,
                      cents: step.full ? c.remaining : Math.max(1, Math.floor(c.remaining * step.fraction)),
                    })),
                };
            if (!(req.mode === 'lines' ? req.lines.length : req.amounts.length)) continue;
            // A unit of a line discounted almost to nothing may carry no cent of it: refunding only such units is refused.
            const linesCents =
              req.mode === 'lines'
                ? req.lines.reduce((n, x) => n + lineRefundCents(r.lines[x.index]!, r.lines[x.index]!.refundedQty, x.quantity), 0)
                : -1;
            if (linesCents === 0) {
              await assert.rejects(
                createRefund(
                  null,
                  { orderId: o.orderId, requestId: `${o.n}-${o.steps.indexOf(step)}`, reason: 'random', ...req },
                  { gateway: gw },
                ),
                (err: unknown) => isAppError(err) && err.code === 'refund_empty',
              );
              seen.refundsEmpty++;
              continue;
            }
            try {
              await createRefund(
                null,
                { orderId: o.orderId, requestId: `${o.n}-${o.steps.indexOf(step)}`, reason: 'random', ...req },
                { gateway: gw },
              );
              if (step.full) seen.refundsFull++;
              else seen.refundsPartial++;
              if (sentBefore) seen.refundsAfterTransfer++;
            } catch (err) {
              // Stripe made the refund but we did not hear back: it stays pending and is retried below.
              if (!(isAppError(err) && err.code === 'refund_failed')) throw err;
              seen.refundFailures++;
            }
          }
        } catch (err) {
          const code = isAppError(err) ? err.code : '';
          // An admin's release of a transfer a shipment already sent.
          if (step.kind === 'release' && code === 'transfer_already_sent') continue;
          unexpected.push({ invariant: 'no_unexpected_error', subject: o.number, detail: `${step.kind}: ${code || String(err)}` });
        }
      }
    }

    for (let start = 0; start < ORDERS; start += BATCH) {
      const batch: Planned[] = [];
      for (let n = start; n < Math.min(ORDERS, start + BATCH); n++) {
        const mine = coops.filter(() => rand() < 0.4);
        const which = mine.length ? mine.slice(0, 3) : [pick(coops)];
        const placed = await placeOrder(
          n,
          which.map((coop) => ({
            coop,
            lines: Array.from({ length: int(1, 3) }, () => ({ unitCents: int(99, 4999), quantity: int(1, 4) })),
            shippingCents: rand() < 0.5 ? 690 : 0,
          })),
          planDiscounts(
            rand,
            which.map((c) => c.id),
          ),
        );
        const steps: Step[] = [];
        for (const s of placed.shares) {
          const r = rand();
          if (r < 0.7) steps.push({ kind: 'ship', coop: s.coop, deliver: rand() < 0.4 });
          else if (r < 0.85) steps.push({ kind: 'release', coop: s.coop });
        }
        for (let k = rand() < 0.45 ? int(1, 3) : 0; k > 0; k--) {
          const full = rand() < 0.35;
          steps.push({
            kind: 'refund',
            full,
            coops: placed.shares
              .filter(() => rand() < 0.7)
              .map((s) => s.coop)
              .concat(pick(placed.shares).coop)
              .filter((c, i, a) => a.indexOf(c) === i),
            byLines: rand() < 0.4,
            fraction: 0.1 + rand() * 0.6,
          });
        }
        // Shipments, releases and refunds in any order.
        for (let i = steps.length - 1; i > 0; i--) {
          const j = Math.floor(rand() * (i + 1));
          [steps[i], steps[j]] = [steps[j]!, steps[i]!];
        }
        batch.push({ ...placed, payTwice: rand() < 0.1, steps });
      }
      // Some co-ops' Stripe balances are short for this batch; some Stripe answers are lost.
      const short = coops.filter(() => rand() < 0.25).map((c) => c.id);
      gw.short = new Set(FAULTS ? short : []);
      gw.timeoutRate = FAULTS ? 0.03 : 0;
      seen.paidTwice += batch.filter((o) => o.payTwice).length;
      await Promise.all(batch.map(live));
      orders.push(...batch);
      if (orders.length % 100 === 0 && ORDERS > 100)
        console.log(`      ${orders.length} orders after ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }

    // Stripe answers again and every balance is covered: the admin retries what failed.
    gw.short = new Set();
    gw.timeoutRate = 0;
    const ids = orders.map((o) => new Types.ObjectId(o.orderId));
    for (let round = 0; round < 2; round++) {
      for (const r of await RefundModel.find({ order: trusted({ $in: ids }), status: 'pending' }, { _id: 1 }).lean()) {
        await retryRefund(null, r._id, { gateway: gw }).catch((err: unknown) =>
          unexpected.push({
            invariant: 'no_unexpected_error',
            subject: r._id,
            detail: `retryRefund: ${isAppError(err) ? err.code : String(err)}`,
          }),
        );
      }
      for (const t of await TransferModel.find({ order: trusted({ $in: ids }), status: 'failed' }, { _id: 1 }).lean()) {
        await services.payouts.transfers.retryTransfer(t._id).catch((err: unknown) =>
          unexpected.push({
            invariant: 'no_unexpected_error',
            subject: t._id,
            detail: `retryTransfer: ${isAppError(err) ? err.code : String(err)}`,
          }),
        );
      }
    }
    const ranMs = Date.now() - started;
    if (profile) console.log(profile());

    // ---- The checks: everything read once, then compared in memory. ----
    const coopIds = coops.map((c) => new Types.ObjectId(c.id));
    const [dbOrders, dbShares, dbTransfers, dbRefunds, ledger] = await Promise.all([
      OrderModel.find({ _id: trusted({ $in: ids }) }, { status: 1, totalCents: 1 }).lean(),
      CoopShareModel.find({ order: trusted({ $in: ids }) }).lean(),
      TransferModel.find({ order: trusted({ $in: ids }) }).lean(),
      RefundModel.find({ order: trusted({ $in: ids }) }).lean(),
      LedgerEntryModel.find({ coop: trusted({ $in: coopIds }) }).lean(),
    ]);
    const platformLedger = await LedgerEntryModel.find({ order: trusted({ $in: ids }), coop: null }).lean();
    const entries = [...ledger, ...platformLedger];
    const violations: Violation[] = [...unexpected];
    const fail = (invariant: string, subject: string, detail: string) => violations.push({ invariant, subject, detail });
    const byOrder = <T extends { order?: unknown }>(xs: T[]) => {
      const m = new Map<string, T[]>();
      for (const x of xs) {
        const k = String(x.order);
        m.set(k, [...(m.get(k) ?? []), x]);
      }
      return m;
    };
    const ledgerOf = byOrder(entries);
    const sharesOf = byOrder(dbShares);
    const refundsOf = byOrder(dbRefunds.filter((r) => r.status === 'succeeded'));
    const transfers = new Map(dbTransfers.map((t) => [t._id, t]));
    const sum = (xs: { amount: number }[]) => xs.reduce((a, x) => a + x.amount, 0);
    /** Per co-op: what it is due (net less what refunds take back) and what is still to be sent to it. */
    const due = new Map<string, number>(coops.map((c) => [c.id, 0]));
    const unsent = new Map<string, number>(coops.map((c) => [c.id, 0]));

    for (const o of orders) {
      const order = dbOrders.find((x) => String(x._id) === o.orderId)!;
      const es = ledgerOf.get(o.orderId) ?? [];
      const kind = (k: string) => es.filter((e) => e.kind === k);
      const refunds = refundsOf.get(o.orderId) ?? [];
      const refunded = sum(refunds);
      // The charge, once, for the whole order.
      if (sum(kind('charge')) !== o.total || kind('charge').length !== 1)
        fail('charge_recorded_once', o.number, `charge entries ${JSON.stringify(kind('charge').map((e) => e.amount))}, total ${o.total}`);
      if (refunded > o.total) fail('refunds_within_charge', o.number, `refunded ${refunded} of ${o.total}`);
      if (-sum(kind('refund')) !== refunded)
        fail('refund_ledger_equals_refunds', o.number, `ledger ${-sum(kind('refund'))}, refunds ${refunded}`);
      // Money in = money out: what the platform holds = commission kept + what each co-op kept or owes + what is still to send.
      let outstanding = 0;
      for (const s of sharesOf.get(o.orderId) ?? []) {
        const t = transfers.get(transferId(o.orderId, String(s.coop)));
        const amount = !t ? s.netCents : t.status === 'sent' || t.status === 'reversed' ? 0 : t.amount;
        outstanding += amount;
        // What will still go to the co-op: not a transfer held because its share was cancelled or refunded.
        const willGo = !(t?.holdReason === 'share_cancelled' || s.status === 'cancelled' || s.status === 'refunded');
        if (willGo) unsent.set(String(s.coop), unsent.get(String(s.coop))! + amount);
      }
      const platform = sum(kind('charge')) + sum(kind('refund'));
      const coopSide = sum(es.filter((e) => ['transfer', 'reversal', 'owed', 'netted'].includes(e.kind)));
      // The platform's take: its commissions less the discounts it gave (and took back).
      const take = sum(kind('commission')) + sum(kind('discount'));
      const difference = platform - take - coopSide - outstanding;
      if (difference !== 0)
        fail(
          'order_balances_to_the_cent',
          o.number,
          `charge+refunds ${platform} − platform's take ${take} − co-ops ${coopSide} − unsent ${outstanding} = ${difference}`,
        );

      for (const s of o.shares) {
        const share = (sharesOf.get(o.orderId) ?? []).find((x) => String(x.coop) === s.coop)!;
        const parts = refunds.flatMap((r) => r.coops.filter((p) => String(p.coop) === s.coop).map((p) => ({ ...p, refund: r._id })));
        const refundedC = sum(parts);
        const takenBack = parts.reduce((a, p) => a + p.reversal, 0);
        // What the platform gave back of its take (negative when it recovered more of its discount than it returned of commission).
        const platformBack = refundedC - takenBack;
        const platformTake = s.commission - s.platformDiscount;
        due.set(s.coop, due.get(s.coop)! + s.net - takenBack);
        const mine = es.filter((e) => String(e.coop) === s.coop);
        const subject = `${o.number} co-op ${coops.findIndex((c) => c.id === s.coop)}`;
        // Commission is written with the charge (not by a later sweeper).
        const paidCommission = mine.find((e) => e._id === `commission:${o.orderId}:${s.coop}`);
        if ((paidCommission?.amount ?? (s.commission === 0 ? 0 : null)) !== s.commission)
          fail(
            'commission_written_with_charge',
            subject,
            `commission entry ${paidCommission?.amount ?? 'missing'}, share commission ${s.commission}`,
          );
        // Discounts are lines of their own, written with the charge: the platform's (in its take), the co-op's (informational).
        const paidDiscount = mine.find((e) => e._id === `discount:${o.orderId}:${s.coop}`)?.amount ?? 0;
        const coopDiscount = mine.find((e) => e._id === `coop_discount:${o.orderId}:${s.coop}`)?.amount ?? 0;
        if (paidDiscount !== -s.platformDiscount || coopDiscount !== -s.coopDiscount)
          fail(
            'discounts_written_with_charge',
            subject,
            `discount entries ${paidDiscount} / ${coopDiscount}, share discounts platform ${s.platformDiscount}, co-op ${s.coopDiscount}`,
          );
        if (s.platformDiscount > 0) seen.platformDiscounts++;
        if (s.coopDiscount > 0) seen.coopDiscounts++;
        if (platformTake < 0) seen.negativeTakes++;
        // Each refund's part = what is taken back from the co-op + commission given back. What is taken back is
        // reversed or owed (ledger entries), or, while the transfer has not gone, deducted from it (its amount).
        let deducted = 0;
        for (const p of parts) {
          const reversedOrOwed = -sum(
            mine.filter((e) => e._id === `reversal:${p.refund}:${s.coop}` || e._id === `owed:${p.refund}:${s.coop}`),
          );
          const back = -sum(mine.filter((e) => e._id === `commission:${p.refund}:${s.coop}` || e._id === `discount:${p.refund}:${s.coop}`));
          deducted += p.reversal - reversedOrOwed;
          if (reversedOrOwed > p.reversal || back !== p.amount - p.reversal)
            fail(
              'refund_split_in_ledger',
              subject,
              `refund ${p.amount}: reversal ${p.reversal} (reversed or owed in the ledger ${reversedOrOwed}), commission back ${p.amount - p.reversal} (ledger ${back})`,
            );
        }
        // Nothing past its bounds: a refund never takes back more than the co-op's net, and the platform never gives
        // back more than its take (nor, when its take is negative, recovers more than it gave).
        if (takenBack < 0 || takenBack > s.net || platformBack < Math.min(0, platformTake) || platformBack > Math.max(0, platformTake))
          fail(
            'refund_within_share',
            subject,
            `refunded ${refundedC} of ${s.gross}: taken back ${takenBack} of net ${s.net}, platform back ${platformBack} of its take ${platformTake}`,
          );
        // (A share the buyer paid nothing for, its goods all given away, has nothing to refund: see the report of issue 20.)
        if (s.gross > 0 && refundedC === s.gross && (takenBack !== s.net || platformBack !== platformTake))
          fail(
            'full_refund_takes_back_exactly',
            subject,
            `refunded in ${parts.length} parts: taken back ${takenBack} of net ${s.net}, platform back ${platformBack} of its take ${platformTake}`,
          );
        if (s.gross > 0 && refundedC === s.gross && share.status !== 'refunded')
          fail('fully_refunded_share_is_refunded', subject, `status ${share.status}`);
        // One transfer per share, carrying the share's net less what was netted from it and what refunds deducted from it.
        const tEntries = mine.filter((e) => e.kind === 'transfer');
        if (tEntries.length > 1) fail('no_double_transfer', subject, `${tEntries.length} transfer entries`);
        const t = transfers.get(transferId(o.orderId, s.coop));
        if (t && t.amount < 0) fail('nothing_negative', subject, `transfer amount ${t.amount}`);
        const netted = sum(mine.filter((e) => e.kind === 'netted' && e._id.startsWith(`netted:${transferId(o.orderId, s.coop)}`)));
        if ((t ? t.amount + netted + deducted : s.net + deducted) !== s.net)
          fail(
            'transfer_is_net_less_netted_and_deducted',
            subject,
            `transfer ${t ? t.amount : 'none'} + netted ${netted} + deducted by refunds ${deducted} ≠ net ${s.net}`,
          );
        if (tEntries.length === 1 && (!t || tEntries[0]!.amount !== t.amount || !['sent', 'reversed'].includes(t.status)))
          fail('transfer_entry_matches_transfer', subject, `entry ${tEntries[0]!.amount}, transfer ${t?.amount} ${t?.status}`);
      }
      if (o.total > 0 && refunded === o.total && o.shares.every((x) => x.gross > 0) && order.status !== 'refunded')
        fail('fully_refunded_order_is_refunded', o.number, `status ${order.status}`);
    }

    // Per co-op: what reached its Stripe account + what is still to send − what it owes now = what it is due.
    const made = (re: RegExp) => counter.made(re);
    const atStripe = (re: RegExp, coopId: string) =>
      sum(
        made(re)
          .filter((r) => r.params['metadata[coopId]'] === coopId)
          .map((r) => ({ amount: r.amount ?? 0 })),
      );
    for (const c of coops) {
      const mine = ledger.filter((e) => String(e.coop) === c.id);
      const owed = -sum(mine.filter((e) => e.kind === 'owed'));
      const netted = sum(mine.filter((e) => e.kind === 'netted'));
      const subject = `co-op ${coops.indexOf(c)}`;
      if (netted > owed) fail('debt_netted_at_most_once', subject, `netted ${netted} of ${owed} owed`);
      const received = atStripe(/^\/v1\/transfers$/, c.id) - atStripe(/^\/v1\/transfers\/[^/]+\/reversals$/, c.id);
      const owesNow = await owedBy(c.id);
      const position = received + unsent.get(c.id)! - owesNow;
      if (position !== due.get(c.id))
        fail(
          'coop_paid_what_it_is_due',
          subject,
          `at Stripe ${received} + unsent ${unsent.get(c.id)} − owes ${owesNow} = ${position}, due ${due.get(c.id)}`,
        );
      if (DUMP && position !== due.get(c.id)) {
        // Which orders: each one's transfers less reversals at Stripe, debts and nettings, against what it is due.
        for (const o of orders.filter((x) => x.shares.some((sh) => sh.coop === c.id))) {
          const of = (re: RegExp) =>
            sum(
              made(re)
                .filter((r) => r.params['metadata[coopId]'] === c.id && r.params['metadata[orderId]'] === o.orderId)
                .map((r) => ({ amount: r.amount ?? 0 })),
            );
          const es = mine.filter((e) => String(e.order) === o.orderId && (e.kind === 'owed' || e.kind === 'netted'));
          const sh = o.shares.find((x) => x.coop === c.id)!;
          const taken = (refundsOf.get(o.orderId) ?? [])
            .flatMap((r) => r.coops.filter((p) => String(p.coop) === c.id))
            .reduce((a, p) => a + p.reversal, 0);
          const t = transfers.get(transferId(o.orderId, c.id));
          console.log(
            `  ${subject} ${o.number}: stripe ${of(/^\/v1\/transfers$/) - of(/^\/v1\/transfers\/[^/]+\/reversals$/)}, transfer ${t?.status} ${t?.amount} ${t?.holdReason ?? ''}, owed/netted ${sum(es)}, due ${sh.net - taken}`,
          );
        }
      }
    }

    // The ledger equals the writes that reached Stripe, per order and co-op (read from the metadata we send with each).
    const compare = (what: string, re: RegExp, ledgerKind: string, sign: 1 | -1, keyOf: (md: (k: string) => string) => string) => {
      const requests = made(re);
      const theirs = new Map<string, number[]>();
      for (const r of requests) {
        const key = keyOf((k) => r.params[`metadata[${k}]`] ?? '?');
        theirs.set(key, [...(theirs.get(key) ?? []), r.amount ?? 0]);
      }
      const ours = new Map<string, number[]>();
      for (const e of entries.filter((x) => x.kind === ledgerKind)) {
        const key = keyOf((k) => (k === 'orderId' ? String(e.order) : k === 'coopId' ? String(e.coop) : '?'));
        ours.set(key, [...(ours.get(key) ?? []), sign * e.amount]);
      }
      const total = (xs: number[] | undefined) => (xs ?? []).reduce((a, b) => a + b, 0);
      for (const key of new Set([...theirs.keys(), ...ours.keys()])) {
        const t = theirs.get(key) ?? [];
        const o = ours.get(key) ?? [];
        if (t.length !== o.length || total(t) !== total(o))
          fail(`stripe_${what}s_equal_ledger`, key, `Stripe ${JSON.stringify(t)}, ledger ${JSON.stringify(o)}`);
      }
      if (requests.length !== [...ours.values()].flat().length)
        fail(`${what}_count`, what, `${requests.length} at Stripe, ${[...ours.values()].flat().length} in the ledger`);
      return theirs;
    };
    for (const [key, amounts] of compare('transfer', /^\/v1\/transfers$/, 'transfer', 1, (md) => `${md('orderId')}:${md('coopId')}`)) {
      if (amounts.length > 1) fail('no_double_transfer_at_stripe', key, `${amounts.length} transfers made: ${JSON.stringify(amounts)}`);
    }
    compare('reversal', /^\/v1\/transfers\/[^/]+\/reversals$/, 'reversal', -1, (md) => `${md('orderId')}:${md('coopId')}`);
    compare('refund', /^\/v1\/refunds$/, 'refund', -1, (md) => md('orderId'));
    // The admin's reconciliation, fed with what reached Stripe for the order, finds what the checks above find.
    const sample = orders.filter((o) => o.steps.some((x) => x.kind === 'refund')).slice(0, 25);
    for (const o of sample) {
      const group = stripeGroupOf(counter, o);
      const view = new CountingGateway(gw);
      view.readTransferGroup = async () => group;
      const r = await reconcileOrder(o.orderId, view);
      for (const d of r.differences)
        fail('reconciliation_finds_no_difference', o.number, `${d.code} ${d.id}: ours ${d.ours}, Stripe ${d.stripe}`);
    }
    for (const r of counter.requests.filter((x) => x.outcome === 'conflict'))
      fail('idempotency_key_reused_with_other_amount', r.idempotencyKey ?? r.path, `${r.path} amount ${r.amount}`);
    for (const r of counter.requests.filter((x) => x.outcome === 'created' && x.status >= 300))
      fail('stripe_accepted_every_request', r.path, `status ${r.status}`);

    if (DUMP) {
      for (const t of dbTransfers.filter((x) => x.status !== 'sent' || x.attempts !== 1))
        console.log(
          `  transfer ${t._id} ${t.status} ${t.amount} attempts ${t.attempts} ${t.holdReason ?? ''} ${t.lastError ? JSON.stringify(t.lastError) : ''}`,
        );
      for (const o of orders) {
        console.log(`\n${o.number} total ${o.total} shares ${JSON.stringify(o.shares)} steps ${JSON.stringify(o.steps)}`);
        for (const e of (ledgerOf.get(o.orderId) ?? []).sort((a, b) => a._id.localeCompare(b._id)))
          console.log(`  ledger ${e.kind.padEnd(10)} ${String(e.amount).padStart(7)} ${e._id}`);
        for (const r of counter.requests.filter((x) => x.params['metadata[orderId]'] === o.orderId))
          console.log(`  stripe ${r.outcome.padEnd(8)} ${r.status} ${r.path.replace(/tr_\w+/, 'tr_…')} ${r.amount} ${r.idempotencyKey}`);
      }
    }
    const byInvariant = new Map<string, Violation[]>();
    for (const v of violations) byInvariant.set(v.invariant, [...(byInvariant.get(v.invariant) ?? []), v]);
    const report = [...byInvariant]
      .map(
        ([k, vs]) =>
          `  ${k}: ${vs.length} (e.g. ${vs
            .slice(0, 3)
            .map((v) => `${v.subject}: ${v.detail}`)
            .join('; ')})`,
      )
      .join('\n');
    const posts = counter.requests.length;
    console.log(
      `      ran in ${(ranMs / 1000).toFixed(1)} s, checked in ${((Date.now() - started - ranMs) / 1000).toFixed(1)} s; ${posts} writes reached the proxy; ${JSON.stringify(seen)}`,
    );
    assert.equal(violations.length, 0, `seed ${SEED}: ${violations.length} violations\n${report}`);
    // The run covered what it should (on a run large enough that chance cannot leave a situation out).
    if (ORDERS >= 500 && FAULTS) {
      // Except refunds of nothing: a rare corner (1 in about 1,000 orders), checked whenever it comes.
      for (const [k, v] of Object.entries(seen)) if (k !== 'refundsEmpty') assert.ok(v > 0, `seed ${SEED}: the run never had ${k}`);
      assert.ok(
        made(/^\/v1\/transfers\/[^/]+\/reversals$/).length > 0 &&
          ledger.some((e) => e.kind === 'owed') &&
          ledger.some((e) => e.kind === 'netted'),
        'reversals, debts and netting all happened',
      );
    }
  });
});
