import { Router, type Request } from 'express';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../platform/config';
import { notFound } from '../platform/errors';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/**
 * A request made on this machine: from a loopback address, and not relayed
 * by a proxy (a proxy on this machine would make a remote visitor look local).
 */
export const isLocalRequest = (req: Request): boolean =>
  LOOPBACK.test(req.socket.remoteAddress ?? '') && !req.headers['x-forwarded-for'] && !req.headers.forwarded;

/** Mail files written by platform/mail.ts when there is no SMTP_URL. */
export const mailboxDir = (config: Config): string => join(config.db.dataDir, 'mailbox');

const FILE = /^[\w.-]+\.eml$/;
const URL_RE = /(https?:\/\/[^\s<>"')]+)/g;

/** Splits plain text into pieces the view prints escaped, URLs as links. */
export function linkify(text: string): { text: string; href?: string }[] {
  return text
    .split(URL_RE)
    .filter(Boolean)
    .map((part) => (/^https?:\/\//.test(part) ? { text: part, href: part } : { text: part }));
}

async function parse(file: string) {
  // mailparser is a development dependency: this page never exists in production.
  const { simpleParser } = await import('mailparser');
  const mail = await simpleParser(await readFile(file));
  const to = Array.isArray(mail.to) ? mail.to.map((a) => a.text).join(', ') : (mail.to?.text ?? '');
  return { subject: mail.subject ?? '', to, date: mail.date ?? new Date(), text: mail.text ?? '' };
}

/**
 * The development mailbox at /dev/mailbox: the mails a fresh `npm start`
 * wrote to disk, newest first, each readable with its links clickable, so a
 * person can follow a verification link without a mail client. Only mounted
 * outside production and when no SMTP server is configured.
 */
export function mailboxRoutes(config: Config): Router {
  const router = Router();
  if (config.isProduction || config.mail.smtpUrl) return router;
  // It holds reset links for every account, the admin's too: only a person at this machine may read it.
  router.use('/dev/mailbox', (req, _res, next) => (isLocalRequest(req) ? next() : next(notFound('page_not_found', 'No page here'))));
  const dir = mailboxDir(config);
  const files = async () =>
    (await readdir(dir).catch(() => [] as string[]))
      .filter((f) => FILE.test(f))
      .sort()
      .reverse();

  router.get('/dev/mailbox', async (req, res) => {
    const names = (await files()).slice(0, 100);
    const messages = await Promise.all(names.map(async (name) => ({ name, ...(await parse(join(dir, name))) })));
    res.set('Cache-Control', 'no-store');
    res.render('accounts/mailbox', { title: req.t('accounts.mailbox.title'), messages, dir });
  });

  router.get('/dev/mailbox/:file', async (req, res) => {
    const name = req.params.file;
    if (!FILE.test(name) || !(await files()).includes(name)) throw notFound('mail_not_found', 'No such mail');
    const mail = await parse(join(dir, name));
    res.set('Cache-Control', 'no-store');
    res.render('accounts/mailbox-message', { title: mail.subject, mail, parts: linkify(mail.text) });
  });

  return router;
}
