import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT_DIR } from '../../src/platform/config';
import { buildApp } from '../support/app';
import { seedDemo } from '../../src/demo/seed';
import { createLogger } from '../../src/platform/logger';
import { refreshCatalog } from '../../src/catalog';
import { freePort } from '../../src/platform/ports';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(ROOT_DIR, 'test-results', 'screenshots');

/**
 * Browser tests need Debian's Chromium (`apt-get install chromium`; never a
 * downloaded browser). Without it they are skipped with a notice, unless
 * FILIERA_REQUIRE_BROWSER=1 (set by .ci/run), where its absence fails the run.
 */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.FILIERA_REQUIRE_BROWSER === '1') throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium`);
  return false;
}

export interface Shop {
  baseUrl: string;
  browser: Browser;
  close(): Promise<void>;
}

/** The whole app on a loopback port with the demo payment provider, and a headless Chromium. */
export async function openShop(env: Record<string, string> = {}): Promise<Shop> {
  const port = await freePort();
  // No Stripe key: the demo payment provider, as on a fresh `npm start`. PUBLIC_URL makes
  // the success and cancel URLs handed to the payment provider point back at this server.
  const { app } = buildApp({ env: { STRIPE_SECRET_KEY: '', PUBLIC_URL: `http://127.0.0.1:${port}`, ...env } });
  const server: Server = createServer(app);
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    browser,
    async close() {
      await browser.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** The demo shop (seeded, catalogue loaded) in Chromium: what the journeys and audits start from. */
export async function openDemoShop(): Promise<Shop> {
  await seedDemo(createLogger('silent', false));
  await refreshCatalog();
  return openShop();
}

/** Runs one journey step; on failure saves a screenshot named after the test and step. */
export async function step<T>(page: Page, name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const file = join(SCREENSHOTS, `${Date.now()}-${name.replace(/[^\w-]+/g, '_')}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    throw new Error(`step "${name}" failed (screenshot: ${file}): ${(err as Error).message}`, { cause: err });
  }
}

/** Serious or critical axe findings (WCAG 2 A and AA) on the page, as readable lines. */
export async function axeProblems(page: Page): Promise<string[]> {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** A 390×844 phone (the size the shop was tried at), for `browser.newContext(PHONE)`. */
export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } as const;

/** How far the page is wider than the window, in px (0: no sideways scrolling). */
export async function sidewaysOverflow(page: Page): Promise<number> {
  // A string, evaluated in the page, so these files need no DOM types.
  return Number(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'));
}

/** The share of the first screen that the header, department links and demo banner take (where <main> starts). */
export async function headerShare(page: Page): Promise<number> {
  return Number(await page.evaluate("(scrollTo(0, 0), document.querySelector('main').getBoundingClientRect().top / innerHeight)"));
}

/** Signs in through the login form. */
export async function signIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.fill('#f-email', email);
  await page.fill('#f-password', password);
  await page.click('form[action="/login"] button[type=submit]');
  await page.waitForURL((u) => !u.pathname.startsWith('/login'), { waitUntil: 'domcontentloaded' });
}
