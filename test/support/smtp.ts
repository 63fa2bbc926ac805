import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import type { Express } from 'express';
import { freePort } from '../../src/platform/ports';
import { createMailer } from '../../src/platform/mail';
import { createLogger } from '../../src/platform/logger';
import { buildApp, testConfig } from './app';

export interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
}

export interface TestSmtp {
  port: number;
  /** `smtp://127.0.0.1:<port>`, for `SMTP_URL`. */
  url: string;
  messages: ReceivedMail[];
  /** Resolves with the first mail to `to` (matching `predicate`), waiting up to 5 s. */
  waitFor(to: string, predicate?: (m: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  stop(): Promise<void>;
}

/**
 * A real SMTP server inside the test process: the app sends through
 * nodemailer over TCP as in production, and tests read what arrived.
 */
export async function startTestSmtp(): Promise<TestSmtp> {
  const messages: ReceivedMail[] = [];
  const waiters = new Set<() => void>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          messages.push({
            to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            html: typeof mail.html === 'string' ? mail.html : '',
          });
          waiters.forEach((w) => w());
          callback();
        })
        .catch(callback);
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });

  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    waitFor(to, predicate = () => true, timeoutMs = 5_000) {
      const find = () => messages.find((m) => m.to.includes(to.toLowerCase()) && predicate(m));
      return new Promise((resolve, reject) => {
        const found = find();
        if (found) return resolve(found);
        const check = () => {
          const m = find();
          if (!m) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(m);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no mail to ${to} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The first link in a mail's text that starts with `prefix` (e.g. the app's URL + '/verify/'), as a path. */
export function linkIn(mail: ReceivedMail, pathPrefix: string): string {
  const m = new RegExp(`https?://[^\\s/]+(${pathPrefix.replace(/[/.]/g, '\\$&')}[^\\s<>"]*)`).exec(mail.text);
  if (!m) throw new Error(`no ${pathPrefix} link in: ${mail.text}`);
  return m[1]!;
}

/** The app with its real mailer (SMTP when `env.SMTP_URL` is set, else the .eml mailbox under DATA_DIR). */
export function appWithRealMail(env: Record<string, string> = {}): Express {
  const config = testConfig(env);
  return buildApp({ config, mailer: createMailer(config, createLogger('silent', false)) }).app;
}

/** A test SMTP server and an app that sends its mail there. Call `smtp.stop()` after. */
export async function appWithSmtp(): Promise<{ app: Express; smtp: TestSmtp }> {
  const smtp = await startTestSmtp();
  return { smtp, app: appWithRealMail({ SMTP_URL: smtp.url }) };
}
