import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from './config';
import ejs from 'ejs';
import type { Logger } from './logger';
import { localized, translator, type Locale } from './i18n';
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

/**
 * Renders a mail in the recipient's language (HTML and plain text from two
 * EJS templates with the same helpers as pages: t, money, date, loc) and
 * sends it. Templates must escape user content with <%= %>.
 */
export async function sendTemplate(mailer: Mailer, mail: TemplateMail): Promise<void> {
  const t = translator(mail.locale);
  const locals = {
    ...mail.data,
    t,
    locale: mail.locale,
    money: (cents: number) => formatMoney(cents, mail.locale),
    date: (d: Date | string | number) =>
      new Intl.DateTimeFormat(mail.locale === 'it' ? 'it-IT' : 'en-GB', { dateStyle: 'long' }).format(new Date(d)),
    loc: (field: Partial<Record<Locale, string>> | undefined) => localized(field, mail.locale),
  };
  const base = join(VIEWS_DIR, 'emails', mail.template);
  const [html, text] = await Promise.all([
    ejs.renderFile(`${base}.html.ejs`, locals, { async: false }),
    ejs.renderFile(`${base}.text.ejs`, locals, { async: false }),
  ]);
  await mailer.send({ to: mail.to, subject: t(mail.subjectKey, mail.data as Record<string, string | number> | undefined), html, text });
}
