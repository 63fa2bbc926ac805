import { createServer } from 'node:http';
import { createApp, createServices } from './app';
import { bootstrap } from './platform/bootstrap';
import { createMailer } from './platform/mail';
import { JobRunner } from './platform/jobs';
import { LocalDiskStorage } from './platform/storage';
import { rateLimitsJob } from './platform/rate-limit';
import { sessionsJob } from './platform/security';
import { DbHealth } from './platform/db-health';
import { RequestDrain } from './platform/drain';
import { lanAddresses, welcomeLines } from './platform/welcome';
import { seedDemo, seedDemoPayoutAccounts } from './demo/seed';
import { accountsJobs } from './accounts';
import { coopsJobs } from './coops';
import { catalogJobs, loadCatalog } from './catalog';
import { legalJobs } from './legal';
import { ordersJobs } from './orders';
import { payoutsJobs } from './payouts';
import { reviewsJobs } from './reviews';
import { createPaymentGateway, paymentsJobs } from './payments';
import { DEMO_ADMIN, DEMO_BUYER, DEMO_MEMBER } from './demo/demo-data';

/**
 * Start-up: config → database engine (when no MONGODB_URI) → connect →
 * indexes → demo data → listen → periodic jobs. Shutdown on SIGINT/SIGTERM:
 * stop taking connections, let requests in flight finish (handlers whose
 * client left included, see RequestDrain), stop the jobs
 * (waiting for runs under way), then close the database and stop the
 * engine we started, so Ctrl-C leaves no process behind.
 */
async function main(): Promise<void> {
  const startedAt = Date.now();
  const runtime = await bootstrap();
  const { config, logger } = runtime;
  if (config.seedDemo) await seedDemo(logger, config);
  await loadCatalog(logger);

  const dbHealth = new DbHealth({ uri: runtime.uri, logger }).start();
  // One gateway and one set of services for the app and the jobs: a stored event retried by a job reaches the same listeners.
  const deps = { config, logger, mailer: createMailer(config, logger), payments: createPaymentGateway(config), dbHealth };
  const services = createServices(deps);
  // After the services: a co-op made ready tells payouts, which sends what waited for its account.
  if (config.seedDemo) {
    const ready = await seedDemoPayoutAccounts(deps.payments, services.events);
    if (ready) logger.info({ coops: ready }, 'demo payout accounts ready');
  }
  const app = createApp(deps, services);
  const jobs = new JobRunner(
    [
      rateLimitsJob,
      sessionsJob,
      ...paymentsJobs({ payments: deps.payments, events: services.paymentEvents }),
      ...accountsJobs(),
      ...coopsJobs(),
      ...catalogJobs({ storage: new LocalDiskStorage(config.uploadsDir) }),
      ...legalJobs(services.legal),
      ...ordersJobs(services.orders),
      ...payoutsJobs(services.payouts),
      ...reviewsJobs({ invitations: services.invitations, syncDirty: services.reviews.syncDirty }),
    ],
    { logger },
  );
  const requests = new RequestDrain();
  const server = createServer((req, res) => {
    requests.track(res);
    app(req, res);
  });
  server.keepAliveTimeout = 65_000; // longer than typical load balancer idle timeouts

  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  jobs.start();
  const demoAccounts = config.seedDemo
    ? [
        { role: 'admin', ...DEMO_ADMIN },
        { role: 'co-op member', ...DEMO_MEMBER },
        { role: 'buyer', ...DEMO_BUYER },
      ]
    : [];
  const welcome = welcomeLines(config, { demoAccounts, lan: lanAddresses() });
  // One message of several lines for a person (pretty), one line with the facts for a machine (json).
  if (config.logFormat === 'pretty') logger.info(`ready in ${Date.now() - startedAt} ms\n\n  ${welcome.join('\n  ')}\n`);
  else logger.info({ url: config.publicUrl, readyMs: Date.now() - startedAt }, welcome[0]);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, ...requests.size }, 'shutting down: finishing requests in flight');
    // Handlers whose client left are waited for too: the database is closed only after them.
    await requests.drain(server, 10_000, (left) => logger.warn(left, 'requests still open after 10 s; closing them'));
    // Then the background work, waiting for runs under way, and only then the database.
    await jobs.stop();
    dbHealth.stop();
    await runtime.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  console.error('Filiera could not start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
