import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import { isAppError } from '../platform/errors';

/** Runs one multer parser and hands back its error instead of throwing, so the form can say what went wrong. */
export function parseUpload(parser: RequestHandler, req: Request, res: Response): Promise<unknown> {
  return new Promise((resolve) => parser(req, res, (err?: unknown) => resolve(err)));
}

/** The locale key that tells a member why an upload was refused. */
export const uploadMessage = (err: unknown): string =>
  err instanceof multer.MulterError
    ? err.code === 'LIMIT_FILE_SIZE'
      ? 'workspace.upload.tooBig'
      : 'workspace.upload.oneFile'
    : isAppError(err)
      ? `workspace.upload.${err.code}`
      : 'workspace.upload.failed';

export const isTooLarge = (err: unknown): boolean => err instanceof multer.MulterError && err.code === 'LIMIT_FILE_SIZE';

/**
 * A photo sent with the goods form is checked and stored at once, but the
 * product may not be saved yet: the form comes back (a correction, one more
 * variant block) carrying the photo as a hidden field. The field is signed
 * for this co-op, so a member can only hand back photos their own form
 * stored, never name another co-op's files.
 */
export interface StagedPhoto {
  key: string;
  widths: number[];
  alt: { it: string; en: string };
}

const stagedMac = (secret: string, coopId: string, payload: string) =>
  createHmac('sha256', secret).update(`staged-photo:${coopId}:${payload}`).digest('base64url');

export function signStagedPhoto(secret: string, coopId: string, photo: StagedPhoto): string {
  const payload = Buffer.from(JSON.stringify([photo.key, photo.widths, photo.alt.it, photo.alt.en])).toString('base64url');
  return `${payload}.${stagedMac(secret, coopId, payload)}`;
}

/** The photos a form carried back, each only if its signature is this co-op's; at most `max`. */
export function readStagedPhotos(secret: string, coopId: string, raw: unknown, max = 8): StagedPhoto[] {
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
  const out: StagedPhoto[] = [];
  for (const token of list.slice(0, max)) {
    if (typeof token !== 'string') continue;
    const [payload = '', mac = ''] = token.split('.');
    const expected = stagedMac(secret, coopId, payload);
    if (mac.length !== expected.length || !timingSafeEqual(Buffer.from(mac), Buffer.from(expected))) continue;
    try {
      const [key, widths, it, en] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as [string, number[], string, string];
      if (!/^products\/[a-f0-9]{32}$/.test(key) || out.some((p) => p.key === key)) continue;
      out.push({ key, widths, alt: { it, en } });
    } catch {
      continue;
    }
  }
  return out;
}
