import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * The project root (where package.json, views/ and locales/ are): config
 * paths are resolved against it, not the cwd. Found by walking up, so it is
 * the same whether the code runs from src/ (tsx) or dist/src/ (compiled).
 */
export const ROOT_DIR = (() => {
  let dir = __dirname;
  while (!existsSync(resolve(dir, 'package.json')) && resolve(dir, '..') !== dir) dir = resolve(dir, '..');
  return dir;
})();

/** The EJS templates, pages and mails alike. */
export const VIEWS_DIR = resolve(ROOT_DIR, 'views');

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

const optionalUrl = (protocols: string[]) =>
  z
    .string()
    .trim()
    .refine((v) => protocols.some((p) => v.startsWith(p)), { message: `must start with ${protocols.join(' or ')}` })
    .optional();

/**
 * Every setting the app reads from the environment. Blank strings count as
 * "not set", so `.env.example` can be copied as it is.
 */
const ConfigSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    // Only this machine, unless said otherwise (a container or a server sets HOST=0.0.0.0).
    HOST: z.string().default('127.0.0.1'),
    PUBLIC_URL: z.url().optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LOG_FORMAT: z.enum(['pretty', 'json']).optional(),

    SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    SESSION_IDLE_MINUTES: z.coerce
      .number()
      .int()
      .min(5)
      .max(60 * 24 * 30)
      .default(120),
    SESSION_ABSOLUTE_HOURS: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 90)
      .default(24 * 7),
    TRUST_PROXY: z.string().default('loopback'),

    MONGODB_URI: optionalUrl(['mongodb://', 'mongodb+srv://']),
    MONGOD_BIN: z.string().optional(),
    DATA_DIR: z.string().default('data'),
    ENGINES_DIR: z.string().default('.engines/bin'),
    SEED_DEMO: bool.default(true),

    STRIPE_SECRET_KEY: z
      .string()
      .regex(/^(sk|rk)_(test|live)_[A-Za-z0-9]+$/, 'must look like sk_test_… or sk_live_…')
      .optional(),
    STRIPE_WEBHOOK_SECRET: z.string().startsWith('whsec_').optional(),
    STRIPE_CONNECT_WEBHOOK_SECRET: z.string().startsWith('whsec_').optional(),
    STRIPE_API_HOST: z.string().optional(),
    STRIPE_API_PORT: z.coerce.number().int().optional(),
    STRIPE_API_PROTOCOL: z.enum(['http', 'https']).optional(),

    SMTP_URL: optionalUrl(['smtp://', 'smtps://']),
    MAIL_FROM: z.string().default('Filiera <noreply@filiera.local>'),

    UPLOADS_DIR: z.string().default('data/uploads'),
    PLATFORM_COMMISSION_BPS: z.coerce.number().int().min(0).max(5000).default(1000),
    /** How long a co-op home's counters may be shown again without reading them (0: read every time). */
    WORKSPACE_GLANCE_SECONDS: z.coerce.number().int().min(0).max(60).default(5),
    REVIEW_INVITE_DAYS: z.coerce.number().min(0).max(365).default(7),
  })
  .superRefine((c, ctx) => {
    if (c.NODE_ENV === 'production') {
      if (!c.SESSION_SECRET) ctx.addIssue({ code: 'custom', path: ['SESSION_SECRET'], message: 'is required in production' });
      if (!c.MONGODB_URI) ctx.addIssue({ code: 'custom', path: ['MONGODB_URI'], message: 'is required in production' });
      if (!c.PUBLIC_URL) ctx.addIssue({ code: 'custom', path: ['PUBLIC_URL'], message: 'is required in production' });
    }
    if (c.STRIPE_SECRET_KEY && !c.STRIPE_WEBHOOK_SECRET && c.NODE_ENV === 'production') {
      ctx.addIssue({ code: 'custom', path: ['STRIPE_WEBHOOK_SECRET'], message: 'is required when STRIPE_SECRET_KEY is set in production' });
    }
  });

type Raw = z.infer<typeof ConfigSchema>;

export interface Config {
  env: Raw['NODE_ENV'];
  isProduction: boolean;
  port: number;
  host: string;
  publicUrl: string;
  /**
   * In development with no PUBLIC_URL, links and payment return URLs follow
   * the host the page was opened on (127.0.0.1, a LAN address, localhost),
   * so a checkout never leaves for another origin. Never in production or
   * tests: there the Host header is the client's to forge.
   */
  publicUrlFromHost: boolean;
  logLevel: Raw['LOG_LEVEL'];
  /** `pretty` (human lines) by default in development, `json` in production and tests. */
  logFormat: 'pretty' | 'json';
  trustProxy: string;
  session: { secret: string; idleMinutes: number; absoluteHours: number };
  db: { uri?: string; mongodBin?: string; dataDir: string; enginesDir: string };
  seedDemo: boolean;
  stripe: {
    secretKey?: string;
    webhookSecret?: string;
    connectWebhookSecret?: string;
    host?: string;
    port?: number;
    protocol?: 'http' | 'https';
  };
  mail: { smtpUrl?: string; from: string };
  uploadsDir: string;
  commissionBps: number;
  /** See WORKSPACE_GLANCE_SECONDS: the co-op home's counters and the goods list's stock are kept this long per co-op. */
  workspaceGlanceMs: number;
  /** Days after delivery before the one mail inviting a review. */
  reviews: { inviteAfterDays: number };
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment once. Throws a ConfigError naming every bad or
 * missing variable; never falls back to `.env.example`.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([k, v]) => k in ConfigSchema.shape && v !== undefined && v.trim() !== ''));
  const parsed = ConfigSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(config)'} ${i.message}`));
  }
  const c = parsed.data;
  const at = (p: string) => resolve(ROOT_DIR, p);
  return {
    env: c.NODE_ENV,
    isProduction: c.NODE_ENV === 'production',
    port: c.PORT,
    host: c.HOST,
    publicUrl: (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/$/, ''),
    publicUrlFromHost: !c.PUBLIC_URL && c.NODE_ENV === 'development',
    logLevel: c.LOG_LEVEL,
    logFormat: c.LOG_FORMAT ?? (c.NODE_ENV === 'development' ? 'pretty' : 'json'),
    trustProxy: c.TRUST_PROXY,
    // Outside production a fixed development secret keeps sessions across restarts.
    session: {
      secret: c.SESSION_SECRET ?? 'filiera-development-session-secret-not-for-production',
      idleMinutes: c.SESSION_IDLE_MINUTES,
      absoluteHours: c.SESSION_ABSOLUTE_HOURS,
    },
    db: { uri: c.MONGODB_URI, mongodBin: c.MONGOD_BIN, dataDir: at(c.DATA_DIR), enginesDir: at(c.ENGINES_DIR) },
    seedDemo: c.SEED_DEMO,
    stripe: {
      secretKey: c.STRIPE_SECRET_KEY,
      webhookSecret: c.STRIPE_WEBHOOK_SECRET,
      connectWebhookSecret: c.STRIPE_CONNECT_WEBHOOK_SECRET,
      host: c.STRIPE_API_HOST,
      port: c.STRIPE_API_PORT,
      protocol: c.STRIPE_API_PROTOCOL,
    },
    mail: { smtpUrl: c.SMTP_URL, from: c.MAIL_FROM },
    uploadsDir: at(c.UPLOADS_DIR),
    commissionBps: c.PLATFORM_COMMISSION_BPS,
    workspaceGlanceMs: c.WORKSPACE_GLANCE_SECONDS * 1000,
    reviews: { inviteAfterDays: c.REVIEW_INVITE_DAYS },
  };
}

/** Loads `.env` from the project root into process.env when it exists. */
export function loadDotEnv(): void {
  const file = resolve(ROOT_DIR, '.env');
  if (existsSync(file)) process.loadEnvFile(file);
}
