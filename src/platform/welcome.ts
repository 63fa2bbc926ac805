import { networkInterfaces } from 'node:os';
import type { Config } from './config';

export interface DemoAccount {
  role: string;
  email: string;
  password: string;
}

/** This machine's IPv4 addresses on its networks (not loopback): where a phone on the same Wi-Fi can reach it. */
export function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((i) => i && i.family === 'IPv4' && !i.internal)
    .map((i) => i!.address);
}

const WILDCARD = new Set(['0.0.0.0', '::', '']);

/**
 * What a person who just typed `npm start` needs, in a few lines: where to
 * open the shop (and how to reach it from a phone), where the mails go, the
 * demo accounts and how to stop. Pure, so a test reads it.
 */
export function welcomeLines(
  config: Pick<Config, 'host' | 'port' | 'publicUrl' | 'publicUrlFromHost' | 'isProduction' | 'mail' | 'stripe'>,
  opts: { demoAccounts?: DemoAccount[]; lan?: string[] } = {},
): string[] {
  const lan = opts.lan ?? [];
  const lines = [`Filiera is open at ${config.publicUrl}`];
  if (config.publicUrlFromHost) {
    if (WILDCARD.has(config.host)) {
      for (const ip of lan) lines.push(`  on your network: http://${ip}:${config.port}`);
    } else if (config.host === '127.0.0.1' || config.host === 'localhost') {
      lines.push(`  also at http://127.0.0.1:${config.port}; from a phone on your network: HOST=0.0.0.0 npm start`);
    }
  }
  if (!config.isProduction && !config.mail.smtpUrl) {
    lines.push(`Mail goes to the dev mailbox: ${config.publicUrl}/dev/mailbox (on this machine)`);
  }
  if (!config.stripe.secretKey) lines.push('Payments: demo provider, no card needed (set STRIPE_SECRET_KEY for Stripe)');
  if (opts.demoAccounts?.length) {
    lines.push('Demo accounts:');
    const width = Math.max(...opts.demoAccounts.map((a) => a.role.length));
    for (const a of opts.demoAccounts) lines.push(`  ${a.role.padEnd(width)}  ${a.email} / ${a.password}`);
  }
  lines.push('Stop with Ctrl-C.');
  return lines;
}
