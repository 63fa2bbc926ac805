import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from './config';
import type { Logger } from './logger';

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
