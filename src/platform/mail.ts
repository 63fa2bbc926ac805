import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from './config';
import ejs from 'ejs';
import type { Logger } from './logger';
import { labeller, localized, translator, type Locale } from './i18n';
import { formatMoney } from './money';
import { VIEWS_DIR } from './config';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/** Sends mail. Services depend on this, never on nodemailer. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

/**
 * With `SMTP_URL`, mail goes through that server. Without it (a fresh
 * `npm start`), each message is written as an `.eml` file under
 * `<DATA_DIR>/mailbox/`, which any mail client opens and which the
 * development mailbox page lists.
 */
export function createMailer(config: Config, logger: Logger): Mailer {
  let transport: Transporter;
  let mailbox: string | undefined;
  if (config.mail.smtpUrl) {
    transport = nodemailer.createTransport(config.mail.smtpUrl);
  } else {
    mailbox = join(config.db.dataDir, 'mailbox');
    transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  }
  return {
    async send(message) {
      const info = await transport.sendMail({ from: config.mail.from, ...message });
      if (mailbox) {
        mkdirSync(mailbox, { recursive: true });
        const file = join(mailbox, `${new Date().toISOString().replace(/[:.]/g, '-')}-${info.messageId.replace(/[^\w.-]/g, '')}.eml`);
        writeFileSync(file, (info as unknown as { message: Buffer }).message);
        logger.info({ to: message.to, file }, 'mail written to the local mailbox');
      } else {
        logger.info({ to: message.to, subject: message.subject }, 'mail sent');
      }
    },
  };
}

export interface TemplateMail {
  to: string;
  locale: Locale;
  /** `views/emails/<template>.html.ejs` and `.text.ejs`, e.g. 'accounts/verify'. */
  template: string;
  /** Locale key of the subject, e.g. 'accounts.emails.verify.subject'. */
  subjectKey: string;
  data?: Record<string, unknown>;
}

/** A mail ready to send: its subject and both parts. */
export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

// The plain-text part is not HTML: `<%= %>` there prints values as they are (no `&#39;` for an apostrophe).
const plainText = (value: unknown): string => (value === undefined || value === null ? '' : String(value));

/**
 * Renders a mail in the recipient's language: HTML and plain text from two
 * EJS templates with the same helpers as pages (t, money, date, loc). The
 * HTML part escapes what `<%= %>` prints, as pages do; the text part does
 * not, since a mail client shows it as it is.
 */
export async function renderTemplate(mail: Omit<TemplateMail, 'to'>): Promise<RenderedMail> {
  const t = translator(mail.locale);
  const locals = {
    ...mail.data,
    t,
    label: labeller(t),
    locale: mail.locale,
    money: (cents: number) => formatMoney(cents, mail.locale),
    date: (d: Date | string | number) =>
      new Intl.DateTimeFormat(mail.locale === 'it' ? 'it-IT' : 'en-GB', { dateStyle: 'long' }).format(new Date(d)),
    loc: (field: Partial<Record<Locale, string>> | undefined) => localized(field, mail.locale),
  };
  const base = join(VIEWS_DIR, 'emails', mail.template);
  const [html, text] = await Promise.all([
    ejs.renderFile(`${base}.html.ejs`, locals, { async: false }),
    ejs.renderFile(`${base}.text.ejs`, locals, { async: false, escape: plainText }),
  ]);
  return { subject: t(mail.subjectKey, mail.data as Record<string, string | number> | undefined), html, text: tidyText(text) };
}

/** Template lines left empty by `<% %>` tags: at most one blank line in a row, none at the ends. */
const tidyText = (text: string): string =>
  text
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim() + '\n';

/** Renders a mail (see renderTemplate) and sends it. */
export async function sendTemplate(mailer: Mailer, mail: TemplateMail): Promise<void> {
  const { subject, html, text } = await renderTemplate(mail);
  await mailer.send({ to: mail.to, subject, html, text });
}
