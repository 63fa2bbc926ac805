import { createHash, randomBytes } from 'node:crypto';
import { trusted } from '../platform/db';
import { DemoObjectModel, type DemoKind } from './demo.model';
import {
  PaymentProviderError,
  type CheckoutSession,
  type CompletedCheckout,
  type ConnectedAccountState,
  type CreateCheckoutInput,
  type PaymentGateway,
  type RefundInput,
  type TransferGroupMoney,
  type ReversalInput,
  type TransferInput,
} from './gateway';

/** A stable id from an idempotency key: the same key always names the same object. */
const idFrom = (prefix: string, key: string) => `${prefix}_demo_${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;

const isDuplicate = (err: unknown) => (err as { code?: number }).code === 11000;

export interface DemoSessionData {
  orderId: string;
  orderNumber: string;
  lines: { name: string; unitAmount: number; quantity: number }[];
  amountTotal: number;
  currency: string;
  customerEmail: string;
  locale: 'it' | 'en';
  successUrl: string;
  cancelUrl: string;
  expiresAt: Date;
  status: 'open' | 'complete' | 'expired';
  paymentStatus: 'paid' | 'unpaid';
  paymentIntentId?: string;
  chargeId?: string;
}

export interface DemoAccountData extends ConnectedAccountState {
  coopId: string;
  email: string;
  returnUrl?: string;
  refreshUrl?: string;
  /** The current onboarding and dashboard links' secrets: like Stripe's links, they are bearer links. */
  linkToken?: string;
  dashboardToken?: string;
}

/**
 * The payment provider of `npm start` without a Stripe key: no network, the
 * same interface. Its checkout URL is a local page clearly marked as a demo
 * (payments.routes.ts), whose Pay button ends in the same handler as a real
 * `checkout.session.completed` event.
 */
export class DemoGateway implements PaymentGateway {
  readonly kind = 'demo' as const;

  /** Inserts once under `_id`; a repeat returns what the first insert stored. */
  private async insertOnce<T extends object>(id: string, kind: DemoKind, data: T): Promise<T> {
    try {
      await DemoObjectModel.create({ _id: id, kind, data });
      return data;
    } catch (err) {
      if (!isDuplicate(err)) throw err;
      const existing = await DemoObjectModel.findById(id).lean();
      return (existing?.data ?? data) as T;
    }
  }

  async session(sessionId: string): Promise<DemoSessionData | null> {
    const doc = await DemoObjectModel.findById(sessionId).lean();
    if (!doc || doc.kind !== 'checkout_session') return null;
    const d = doc.data as unknown as DemoSessionData;
    return { ...d, expiresAt: new Date(d.expiresAt) };
  }

  private async patch(id: string, changes: Record<string, unknown>): Promise<void> {
    const set = Object.fromEntries(Object.entries(changes).map(([k, v]) => [`data.${k}`, v]));
    await DemoObjectModel.updateOne({ _id: id }, { $set: set });
  }

  async createCheckoutSession(input: CreateCheckoutInput): Promise<CheckoutSession> {
    const id = idFrom('cs', input.idempotencyKey);
    const data = await this.insertOnce<DemoSessionData>(id, 'checkout_session', {
      orderId: input.orderId,
      orderNumber: input.orderNumber,
      lines: input.lines.map(({ name, unitAmount, quantity }) => ({ name, unitAmount, quantity })),
      amountTotal: input.lines.reduce((sum, l) => sum + l.unitAmount * l.quantity, 0),
      currency: 'eur',
      customerEmail: input.customerEmail,
      locale: input.locale,
      successUrl: input.successUrl.replace('{CHECKOUT_SESSION_ID}', id),
      cancelUrl: input.cancelUrl,
      expiresAt: input.expiresAt,
      status: 'open',
      paymentStatus: 'unpaid',
    });
    return { id, url: `/demo-pay/${id}`, expiresAt: new Date(data.expiresAt) };
  }

  /** The demo "card" always succeeds: the session becomes complete and paid. */
  async pay(sessionId: string): Promise<CompletedCheckout> {
    const s = await this.session(sessionId);
    if (!s) throw new PaymentProviderError('resource_missing', 'No such demo session', false);
    if (s.status === 'expired') throw new PaymentProviderError('session_expired', 'The demo session has expired', false);
    if (s.status !== 'complete') {
      // Ids derived from the session: paying twice names the same charge.
      await this.patch(sessionId, {
        status: 'complete',
        paymentStatus: 'paid',
        paymentIntentId: idFrom('pi', sessionId),
        chargeId: idFrom('ch', sessionId),
      });
    }
    return this.retrieveCheckoutSession(sessionId);
  }

  async retrieveCheckoutSession(sessionId: string): Promise<CompletedCheckout> {
    const s = await this.session(sessionId);
    if (!s) throw new PaymentProviderError('resource_missing', 'No such demo session', false);
    return {
      sessionId,
      orderId: s.orderId,
      paymentStatus: s.paymentStatus,
      amountTotal: s.amountTotal,
      currency: s.currency,
      paymentIntentId: s.paymentIntentId,
      chargeId: s.chargeId,
    };
  }

  async expireCheckoutSession(sessionId: string): Promise<void> {
    const s = await this.session(sessionId);
    if (!s) throw new PaymentProviderError('resource_missing', 'No such demo session', false);
    if (s.status === 'complete') throw new PaymentProviderError('session_complete', 'A paid session cannot expire', false);
    if (s.status === 'open') await this.patch(sessionId, { status: 'expired' });
  }

  /** Open demo sessions past their expiry (what Stripe reports with `checkout.session.expired`). */
  async dueForExpiry(now = new Date(), limit = 100): Promise<string[]> {
    const docs = await DemoObjectModel.find({ kind: 'checkout_session', 'data.status': 'open' }, { _id: 1, data: 1 })
      .limit(limit * 5)
      .lean();
    return docs
      .filter((d) => new Date((d.data as { expiresAt: Date }).expiresAt) <= now)
      .slice(0, limit)
      .map((d) => d._id);
  }

  async createTransfer(input: TransferInput): Promise<{ id: string }> {
    const account = await DemoObjectModel.findById(input.destination).lean();
    const state = account?.data as unknown as DemoAccountData | undefined;
    if (!state) throw new PaymentProviderError('account_invalid', 'No such demo account', false);
    if (!state.transfersActive)
      throw new PaymentProviderError('transfers_not_allowed', 'The demo account cannot receive transfers yet', false);
    const id = idFrom('tr', input.idempotencyKey);
    await this.insertOnce(id, 'transfer', {
      amount: input.amount,
      destination: input.destination,
      transferGroup: input.transferGroup,
      sourceTransaction: input.sourceTransaction ?? null,
      metadata: input.metadata,
      amountReversed: 0,
    });
    return { id };
  }

  async createRefund(input: RefundInput): Promise<{ id: string; status: string }> {
    const id = idFrom('re', input.idempotencyKey);
    await this.insertOnce(id, 'refund', {
      paymentIntentId: input.paymentIntentId,
      amount: input.amount,
      reason: input.reason ?? null,
      metadata: input.metadata,
      status: 'succeeded',
    });
    return { id, status: 'succeeded' };
  }

  async createReversal(input: ReversalInput): Promise<{ id: string }> {
    const transfer = await DemoObjectModel.findById(input.transferId).lean();
    const t = transfer?.data as { amount: number; amountReversed: number } | undefined;
    if (!t) throw new PaymentProviderError('resource_missing', 'No such demo transfer', false);
    const id = idFrom('trr', input.idempotencyKey);
    const existed = await DemoObjectModel.exists({ _id: id });
    if (!existed) {
      if (t.amountReversed + input.amount > t.amount)
        throw new PaymentProviderError('amount_too_large', 'Reversal exceeds the transfer', false);
      await this.insertOnce(id, 'reversal', { transferId: input.transferId, amount: input.amount, metadata: input.metadata });
      await this.patch(input.transferId, { amountReversed: t.amountReversed + input.amount });
    }
    return { id };
  }

  async listTransfers(transferGroup: string) {
    const docs = await DemoObjectModel.find({ kind: 'transfer', 'data.transferGroup': transferGroup }).lean();
    return docs.map((d) => {
      const t = d.data as { amount: number; destination: string; amountReversed: number };
      return { id: d._id, amount: t.amount, destination: t.destination, amountReversed: t.amountReversed };
    });
  }

  async listRefunds(paymentIntentId: string) {
    const docs = await DemoObjectModel.find({ kind: 'refund', 'data.paymentIntentId': paymentIntentId }).lean();
    return docs.map((d) => {
      const r = d.data as { amount: number; status: string };
      return { id: d._id, amount: r.amount, status: r.status };
    });
  }

  /** What this provider recorded for the group: paid sessions' charges, transfers with their reversals, refunds. */
  async readTransferGroup(transferGroup: string): Promise<TransferGroupMoney> {
    const [sessions, transfers] = await Promise.all([
      DemoObjectModel.find({ kind: 'checkout_session', 'data.orderNumber': transferGroup, 'data.status': 'complete' }).lean(),
      DemoObjectModel.find({ kind: 'transfer', 'data.transferGroup': transferGroup }).lean(),
    ]);
    const paid = sessions.map((d) => d.data as unknown as DemoSessionData).filter((s) => s.chargeId && s.paymentIntentId);
    const [refunds, reversals] = await Promise.all([
      paid.length
        ? DemoObjectModel.find({ kind: 'refund', 'data.paymentIntentId': trusted({ $in: paid.map((s) => s.paymentIntentId!) }) }).lean()
        : [],
      transfers.length
        ? DemoObjectModel.find({ kind: 'reversal', 'data.transferId': trusted({ $in: transfers.map((t) => t._id) }) }).lean()
        : [],
    ]);
    const chargeOf = new Map(paid.map((s) => [s.paymentIntentId!, s.chargeId!]));
    const refundList = refunds.map((d) => {
      const r = d.data as { paymentIntentId: string; amount: number; status: string; metadata?: Record<string, string> };
      return { id: d._id, amount: r.amount, status: r.status, chargeId: chargeOf.get(r.paymentIntentId), metadata: r.metadata ?? {} };
    });
    return {
      charges: paid.map((s) => ({
        id: s.chargeId!,
        amount: s.amountTotal,
        amountRefunded: refundList.filter((r) => r.chargeId === s.chargeId && r.status === 'succeeded').reduce((a, r) => a + r.amount, 0),
        status: 'succeeded',
        paymentIntentId: s.paymentIntentId,
      })),
      transfers: transfers.map((d) => {
        const t = d.data as { amount: number; destination: string; amountReversed: number; metadata?: Record<string, string> };
        const own = reversals.filter((r) => (r.data as { transferId: string }).transferId === d._id);
        return {
          id: d._id,
          amount: t.amount,
          destination: t.destination,
          amountReversed: t.amountReversed,
          metadata: t.metadata ?? {},
          reversals: own.map((r) => {
            const x = r.data as { amount: number; metadata?: Record<string, string> };
            return { id: r._id, amount: x.amount, metadata: x.metadata ?? {} };
          }),
        };
      }),
      refunds: refundList,
    };
  }

  async createConnectedAccount(input: { coopId: string; email: string; idempotencyKey: string }): Promise<ConnectedAccountState> {
    const id = idFrom('acct', input.idempotencyKey);
    const data = await this.insertOnce<DemoAccountData>(id, 'account', {
      id,
      coopId: input.coopId,
      email: input.email,
      transfersActive: false,
      payoutsEnabled: false,
      detailsSubmitted: false,
      currentlyDue: ['external_account', 'representative.first_name'],
      pastDue: [],
      disabledReason: 'requirements.past_due',
    });
    return toState(data);
  }

  async account(accountId: string): Promise<DemoAccountData | null> {
    const doc = await DemoObjectModel.findById(accountId).lean();
    return doc?.kind === 'account' ? (doc.data as unknown as DemoAccountData) : null;
  }

  async retrieveConnectedAccount(accountId: string): Promise<ConnectedAccountState> {
    const a = await this.account(accountId);
    if (!a) throw new PaymentProviderError('account_invalid', 'No such demo account', false);
    return toState(a);
  }

  /** The stand-in for Stripe's hosted onboarding: completing it makes the account ready. */
  async completeOnboarding(accountId: string): Promise<{ state: ConnectedAccountState; returnUrl: string }> {
    const a = await this.account(accountId);
    if (!a) throw new PaymentProviderError('account_invalid', 'No such demo account', false);
    const ready = {
      transfersActive: true,
      payoutsEnabled: true,
      detailsSubmitted: true,
      currentlyDue: [],
      pastDue: [],
      disabledReason: '',
    };
    // The link is used up, as Stripe's are.
    await this.patch(accountId, { ...ready, linkToken: '' });
    return { state: toState({ ...a, ...ready }), returnUrl: a.returnUrl ?? '/' };
  }

  async createOnboardingLink(input: { accountId: string; refreshUrl: string; returnUrl: string }): Promise<{ url: string }> {
    if (!(await this.account(input.accountId))) throw new PaymentProviderError('account_invalid', 'No such demo account', false);
    // The URLs stay on our side: the demo page never takes a redirect target from the query.
    const token = randomBytes(16).toString('hex');
    await this.patch(input.accountId, { returnUrl: input.returnUrl, refreshUrl: input.refreshUrl, linkToken: token });
    return { url: `/demo-connect/${input.accountId}?t=${token}` };
  }

  async createDashboardLink(accountId: string): Promise<{ url: string }> {
    if (!(await this.account(accountId))) throw new PaymentProviderError('account_invalid', 'No such demo account', false);
    const token = randomBytes(16).toString('hex');
    await this.patch(accountId, { dashboardToken: token });
    return { url: `/demo-connect/${accountId}/dashboard?t=${token}` };
  }
}

function toState(a: ConnectedAccountState): ConnectedAccountState {
  return {
    id: a.id,
    transfersActive: a.transfersActive,
    payoutsEnabled: a.payoutsEnabled,
    detailsSubmitted: a.detailsSubmitted,
    currentlyDue: a.currentlyDue ?? [],
    pastDue: a.pastDue ?? [],
    disabledReason: a.disabledReason ?? '',
  };
}
