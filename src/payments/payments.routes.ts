import express, { Router, type Request, type Response } from 'express';
import type { Config } from '../platform/config';
import type { Logger } from '../platform/logger';
import { notFound } from '../platform/errors';
import { noStore } from '../platform/security';
import { DemoGateway } from './demo-gateway';
import { PaymentProviderError, type PaymentGateway } from './gateway';
import type { PaymentEvents } from './payments.service';
import { DemoAccountParams, DemoLinkBody, DemoLinkQuery, DemoSessionParams } from './payments.schemas';
import { timingSafeEqual } from 'node:crypto';
import { verifyWebhook, WebhookSignatureError } from './stripe-webhooks';

interface WebhookDeps {
  config: Pick<Config, 'stripe'>;
  logger: Logger;
  /** The event handlers (one per app, made by createApp). */
  paymentEvents: PaymentEvents;
}

/**
 * How long a webhook request waits for its handlers. Stripe wants a quick
 * 2xx: past this the event is answered 200 and finishes in the background;
 * if it then fails, it is stored as failed and a job runs it again (paymentsJobs).
 */
export const WEBHOOK_BUDGET_MS = 5_000;

/**
 * Stripe webhooks: the raw body on these two routes only (the signature is
 * over the exact bytes), no session, no CSRF token. Mounted before the body
 * parsers. A bad or missing signature is a 400 and nothing is written;
 * unknown event types are stored and answered 200.
 */
export function webhookRoutes(deps: WebhookDeps, opts: { budgetMs?: number } = {}): Router {
  const router = Router();
  const events = deps.paymentEvents;
  const budgetMs = opts.budgetMs ?? WEBHOOK_BUDGET_MS;
  const raw = express.raw({ type: 'application/json', limit: '1mb' });

  const endpoint = (kind: 'platform' | 'connect') => async (req: Request, res: Response) => {
    const secret = kind === 'platform' ? deps.config.stripe.webhookSecret : deps.config.stripe.connectWebhookSecret;
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let event;
    try {
      event = verifyWebhook(body, req.get('stripe-signature'), secret);
    } catch (err) {
      if (!(err instanceof WebhookSignatureError)) throw err;
      deps.logger.warn({ endpoint: kind, reason: err.message }, 'webhook refused');
      res.status(400).json({ error: { code: 'bad_signature', message: 'Invalid signature' } });
      return;
    }
    const work = events.processWebhook(event, kind, body.toString('utf8'));
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<'deferred'>((r) => {
      timer = setTimeout(() => r('deferred'), budgetMs);
    });
    try {
      const outcome = await Promise.race([work, budget]);
      if (outcome === 'deferred') {
        work.catch((err: unknown) =>
          deps.logger.error({ err, eventId: event.id, type: event.type }, 'webhook handler failed after answering'),
        );
      }
      res.status(200).json({ received: true, outcome });
    } catch (err) {
      deps.logger.error({ err, eventId: event.id, type: event.type }, 'webhook handler failed');
      // 5xx: Stripe delivers the event again later; the handlers are idempotent.
      res.status(500).json({ error: { code: 'webhook_failed', message: 'Could not process the event' } });
    } finally {
      clearTimeout(timer);
    }
  };

  router.post('/webhooks/stripe', raw, endpoint('platform'));
  router.post('/webhooks/stripe/connect', raw, endpoint('connect'));
  return router;
}

/**
 * The demo provider's pages (only when no Stripe key is set): the payment
 * page a Checkout Session's URL points to, and the stand-in for Stripe's
 * hosted onboarding of a co-op. Plain forms with CSRF tokens, no script.
 */
export function demoPaymentRoutes(deps: {
  config: Pick<Config, 'publicUrl'>;
  payments: PaymentGateway;
  paymentEvents: PaymentEvents;
}): Router {
  const router = Router();
  if (!(deps.payments instanceof DemoGateway)) return router;
  const gateway: DemoGateway = deps.payments;
  const events = deps.paymentEvents;

  router.use(['/demo-pay', '/demo-connect'], noStore);

  async function loadSession(req: Request) {
    const p = DemoSessionParams.safeParse(req.params);
    const s = p.success ? await gateway.session(p.data.sessionId) : null;
    if (!p.success || !s) throw notFound('payment_session_not_found', 'No such payment session');
    return { id: p.data.sessionId, session: s };
  }

  router.get('/demo-pay/:sessionId', async (req, res) => {
    const { id, session } = await loadSession(req);
    const expired = session.status === 'expired' || (session.status === 'open' && session.expiresAt <= new Date());
    res.render('payments/demo-pay', { title: req.t('payments.demoPay.title'), id, session, expired, error: null });
  });

  router.post('/demo-pay/:sessionId/pay', async (req, res) => {
    const { id, session } = await loadSession(req);
    try {
      if (session.status === 'open' && session.expiresAt <= new Date()) throw new PaymentProviderError('session_expired', 'expired', false);
      const paid = await gateway.pay(id);
      // The same handler as a real `checkout.session.completed` webhook.
      await events.handleCheckoutCompleted(paid);
    } catch (err) {
      if (!(err instanceof PaymentProviderError)) throw err;
      res.status(409).render('payments/demo-pay', {
        title: req.t('payments.demoPay.title'),
        id,
        session,
        expired: true,
        error: 'payments.demoPay.expired',
      });
      return;
    }
    res.redirect(303, session.successUrl);
  });

  router.post('/demo-pay/:sessionId/cancel', async (req, res) => {
    const { session } = await loadSession(req);
    res.redirect(303, session.status === 'complete' ? session.successUrl : session.cancelUrl);
  });

  /**
   * The account a demo link names, when the link's secret matches (links are
   * bearer links, like Stripe's): anything else is a 404.
   */
  async function loadAccount(req: Request, which: 'linkToken' | 'dashboardToken', token: unknown) {
    const p = DemoAccountParams.safeParse(req.params);
    const a = p.success ? await gateway.account(p.data.accountId) : null;
    const expected = a?.[which] ?? '';
    const given = typeof token === 'string' ? token : '';
    if (!a || !expected || given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) {
      throw notFound('account_link_not_found', 'This link is no longer valid');
    }
    return a;
  }

  /** Only our own pages are redirect targets: the app's address, or the one this request came to (development). */
  const local = (req: Request, url: string | undefined): string | null => {
    if (!url) return null;
    const relative = url.startsWith('/') && !url.startsWith('//');
    return relative || url.startsWith(`${deps.config.publicUrl}/`) || url.startsWith(`${req.publicUrl}/`) ? url : null;
  };

  router.get('/demo-connect/:accountId', async (req, res) => {
    const q = DemoLinkQuery.safeParse(req.query);
    const p = DemoAccountParams.safeParse(req.params);
    const known = p.success ? await gateway.account(p.data.accountId) : null;
    // A used or stale link goes to the refresh URL, which makes a new one (as Stripe does).
    const refresh = local(req, known?.refreshUrl);
    if (known && refresh && (!q.success || q.data.t !== known.linkToken)) return res.redirect(303, refresh);
    const account = await loadAccount(req, 'linkToken', q.success ? q.data.t : '');
    res.render('payments/demo-connect', { title: req.t('payments.demoConnect.title'), account, token: account.linkToken });
  });

  router.post('/demo-connect/:accountId/complete', async (req, res) => {
    const b = DemoLinkBody.safeParse(req.body ?? {});
    const account = await loadAccount(req, 'linkToken', b.success ? b.data.t : '');
    const { state, returnUrl } = await gateway.completeOnboarding(account.id);
    // The same code as an `account.updated` event saying the account is ready.
    await events.accountUpdated(state);
    res.redirect(303, local(req, returnUrl) ?? '/');
  });

  router.get('/demo-connect/:accountId/dashboard', async (req, res) => {
    const q = DemoLinkQuery.safeParse(req.query);
    const account = await loadAccount(req, 'dashboardToken', q.success ? q.data.t : '');
    res.render('payments/demo-dashboard', { title: req.t('payments.demoDashboard.title'), account });
  });

  return router;
}
