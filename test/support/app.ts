import { EventBus } from '../../src/platform/events';
import type { Express } from 'express';
import request from 'supertest';
import { createApp, createServices, type AppDeps, type AppServices } from '../../src/app';
import { loadConfig, type Config } from '../../src/platform/config';
import { createLogger } from '../../src/platform/logger';
import type { Mailer, MailMessage } from '../../src/platform/mail';
import { testEngines } from './engines';
import { createPaymentGateway } from '../../src/payments';

/** A config for tests: the run's engines, quiet logs, no demo data. */
export function testConfig(env: Record<string, string> = {}): Config {
  const e = testEngines();
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    MONGODB_URI: e.db.uri,
    SEED_DEMO: 'false',
    STRIPE_SECRET_KEY: 'sk_test_123',
    STRIPE_WEBHOOK_SECRET: 'whsec_test_platform',
    STRIPE_CONNECT_WEBHOOK_SECRET: 'whsec_test_connect',
    STRIPE_API_HOST: '127.0.0.1',
    STRIPE_API_PORT: String(e.stripeMock.port),
    STRIPE_API_PROTOCOL: 'http',
    UPLOADS_DIR: `${e.dataDir}/uploads`,
    DATA_DIR: e.dataDir,
    // Tests move orders and goods behind a member's back and look at once: the home reads every time
    // (test/workspace/glance-cache.test.ts covers keeping it).
    WORKSPACE_GLANCE_SECONDS: '0',
    ...env,
  });
}

/** Collects mail instead of sending it, for tests that do not need the SMTP server. */
export class MemoryMailer implements Mailer {
  readonly sent: MailMessage[] = [];
  async send(m: MailMessage) {
    this.sent.push(m);
  }
}

type Overrides = Partial<AppDeps> & { env?: Record<string, string> };

function testDeps(overrides: Overrides): AppDeps {
  const config = overrides.config ?? testConfig(overrides.env);
  return {
    config,
    logger: overrides.logger ?? createLogger('silent', false),
    mailer: overrides.mailer ?? new MemoryMailer(),
    payments: overrides.payments ?? createPaymentGateway(config),
    dbHealth: overrides.dbHealth,
    events: overrides.events ?? new EventBus(),
  };
}

/** An app as server.ts builds it, with its services (orders, payouts, payments' handlers, the bus). */
export function buildApp(overrides: Overrides = {}): { app: Express; deps: AppDeps; services: AppServices } {
  const deps = testDeps(overrides);
  const services = createServices(deps);
  return { app: createApp(deps, services), deps, services };
}

/**
 * The app's services without the app, composed as createApp composes them
 * (one bus; payouts, orders and co-ops listening): pass the gateway whose
 * calls a test counts. `seams`: test-only hooks (a crash between two steps).
 */
export function buildServices(
  overrides: Overrides = {},
  seams: Parameters<typeof createServices>[1] = {},
): AppServices & { deps: AppDeps } {
  const deps = testDeps(overrides);
  return { ...createServices(deps, seams), deps };
}

/** Reads the CSRF token out of a rendered form. */
export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF token in the page');
  return m[1]!;
}

/** A cookie-keeping client, like a browser. */
export const browser = (app: Express) => request.agent(app);
