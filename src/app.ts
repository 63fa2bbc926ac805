import express, { type Express } from 'express';
import compression from 'compression';
import { join } from 'node:path';
import { ROOT_DIR, type Config } from './platform/config';
import type { Logger } from './platform/logger';
import type { Mailer } from './platform/mail';
import { requestLogger } from './platform/request-log';
import { csrfProtection, noStoreWithSession, securityHeaders, sessions } from './platform/security';
import { databaseGate, errorHandler, flashLocals, notFoundHandler, renderForAnyone, useViews, viewLocals } from './platform/web';
import type { DbHealth } from './platform/db-health';
import { healthRoutes } from './platform/health';
import { FrontDoor } from './platform/front-door';
import { localeRoutes } from './platform/locale.routes';
import { EventBus } from './platform/events';
import type { CoreDeps } from './platform/deps';
import { catalogRoutes, coopsRoutes } from './catalog';
import { accountsRoutes, loadUser, mailboxRoutes, userOfHeldSession, type CurrentUser } from './accounts';
import { membersRoutes, membershipsOf, wireCoops } from './coops';
import { companyLocals, createLegal, legalRoutes } from './legal';
import { cartCountLocals, cartRoutes, guestCartCount, userCartCount, wireCart } from './cart';
import { checkoutRoutes, createOrders, withdrawalRoutes, wireOrders, type OrdersDeps } from './orders';
import { createReviews, createInvitations, productSection, reviewsRoutes, type ReviewsDeps } from './reviews';
import { createPayouts, wirePayouts } from './payouts';
import { adminRoutes } from './admin';
import { workspaceRoutes } from './workspace';
import { createPaymentEvents, demoPaymentRoutes, webhookRoutes, type PaymentGateway } from './payments';

/** What the app needs from outside; tests pass their own. */
export interface AppDeps {
  config: Config;
  logger: Logger;
  mailer: Mailer;
  payments: PaymentGateway;
  /** Whether the database answers (server.ts starts one); without it pages wait for the driver's own timeouts. */
  dbHealth?: DbHealth;
  /** The app's event bus; createApp makes one when none is given (a test may pass its own to listen). */
  events?: EventBus;
}

/**
 * The composition: the app's services, each built from its dependencies,
 * and the one event bus that joins them. Each feature subscribes to the
 * ones below it in its own wire… function: payments emits, and orders,
 * co-ops and payouts listen; orders emits, payouts listens. createApp uses
 * them, server.ts gives them to the features' jobs, and tests build their
 * own (`seams`: test-only hooks, such as a crash between two steps).
 */
export function createServices(deps: AppDeps, seams: Pick<OrdersDeps, 'onStep'> & { reviewsStep?: ReviewsDeps['onStep'] } = {}) {
  const { config, logger, mailer } = deps;
  const events = deps.events ?? new EventBus();
  const paymentEvents = createPaymentEvents({ payments: deps.payments, logger, events });
  const payouts = createPayouts({ gateway: deps.payments, logger });
  const legal = createLegal();
  const orders = createOrders({
    mailer,
    config,
    logger,
    payments: deps.payments,
    events,
    commissionFor: payouts.commission.forMany,
    legal,
    onStep: seams.onStep,
  });
  const reviews = createReviews({ mailer, config, logger, onStep: seams.reviewsStep });
  const invitations = createInvitations({ mailer, config, logger, onStep: seams.reviewsStep });
  wireCoops(events);
  wireCart(events);
  wireOrders(events, orders);
  wirePayouts(events, payouts);
  return { events, paymentEvents, orders, payouts, legal, reviews, invitations };
}

export type AppServices = ReturnType<typeof createServices>;

/**
 * Builds the Express app. It never listens and never connects: server.ts
 * does both, and tests import this with the engines they started.
 * The order of the middleware is the request's path through the app.
 */
export function createApp(appDeps: AppDeps, services: AppServices = createServices(appDeps)): Express {
  const { config, logger } = appDeps;
  const { events, paymentEvents, orders, payouts, legal, reviews } = services;
  const core: CoreDeps = { config, logger, mailer: appDeps.mailer, events };
  const deps = { ...appDeps, events };

  const app = express();
  const onError = errorHandler(logger);
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  // Only the simple query parser: `?price[$gt]=0` stays a plain string key, never an object.
  app.set('query parser', 'simple');

  app.use(requestLogger(logger));
  app.use(securityHeaders(config));
  // Kept pages for visitors whose session this process holds as they last saw it, before the rest of the chain (see FrontDoor).
  const frontDoor = new FrontDoor<CurrentUser>();
  app.set('front door', frontDoor);
  const session = sessions(config);
  app.use(
    frontDoor.handler({
      config,
      sessions: session,
      dbHealth: deps.dbHealth,
      cartCount: guestCartCount,
      members: { userOf: userOfHeldSession(membershipsOf), cartCount: userCartCount },
    }),
  );
  app.use(compression());
  app.use(
    '/static',
    express.static(join(ROOT_DIR, 'public'), {
      maxAge: config.isProduction ? '7d' : '1h',
      etag: true,
      index: false,
      fallthrough: true,
    }),
  );
  // Uploaded and generated images; names are random and never reused, so they cache for a long time.
  app.use(
    '/media',
    express.static(config.uploadsDir, { maxAge: '30d', immutable: true, index: false, dotfiles: 'deny', fallthrough: true }),
  );
  app.use(healthRoutes());

  // Stripe webhooks need the raw body and no CSRF token: they are mounted here,
  // before the body parsers and the session (see payments/).
  app.use(webhookRoutes({ config, logger, paymentEvents }));

  useViews(app, config);
  app.use(viewLocals(config));
  // Before the session: reading it is the first thing that would wait on a database that does not answer.
  app.use(databaseGate(deps.dbHealth, onError));
  app.use(localeRoutes(config.isProduction));
  // The footer of every page names the company that runs the shop.
  app.use(companyLocals(legal));
  app.use(express.urlencoded({ extended: false, limit: '100kb', parameterLimit: 200 }));
  app.use(express.json({ limit: '100kb' }));
  app.use(noStoreWithSession);
  app.use(session);
  app.use(flashLocals);
  app.use(csrfProtection);
  app.use(loadUser(membershipsOf));
  app.use(cartCountLocals);

  // Feature routers. The storefront first: most requests are its pages, and each router a request
  // passes tries every one of its routes. Their paths are the storefront's own (/, /shop, /search,
  // /products, /coops), so the order decides nothing else. The product page shows its reviews through
  // a section handed in here: the catalogue sits below reviews.
  app.use(catalogRoutes({ productSection: productSection(reviews, (view, locals) => renderForAnyone(app, view, locals)), frontDoor }));
  app.use(coopsRoutes());
  app.use(demoPaymentRoutes({ config, payments: deps.payments, paymentEvents }));
  app.use(cartRoutes({ frontDoor }));
  app.use(checkoutRoutes({ logger, orders, paymentEvents, legal }));
  app.use(legalRoutes({ legal, config }));
  app.use(withdrawalRoutes({ ...core, legal }));
  app.use(accountsRoutes(core));
  app.use(membersRoutes(core));
  app.use(mailboxRoutes(config));
  app.use(reviewsRoutes({ reviews, config }));
  app.use(adminRoutes({ ...deps, payouts, legal, reviews }));
  app.use(workspaceRoutes({ ...deps, transfers: payouts.transfers, reviews, frontDoor }));

  app.use(notFoundHandler);
  app.use(onError);
  return app;
}
