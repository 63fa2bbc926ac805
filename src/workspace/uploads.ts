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
