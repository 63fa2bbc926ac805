/**
 * The one error type of the app. `code` is a stable contract (tests and JSON
 * clients read it); `message` is for logs and, for expected errors, the user.
 */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details?: Record<string, unknown>;

  constructor(code: string, message: string, status = 400, opts: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = status;
    this.details = opts.details;
  }
}

export const notFound = (code = 'not_found', message = 'Not found') => new AppError(code, message, 404);
export const forbidden = (code = 'forbidden', message = 'Forbidden') => new AppError(code, message, 403);
export const conflict = (code: string, message: string) => new AppError(code, message, 409);
export const invalid = (details: Record<string, unknown>, code = 'invalid_input', message = 'Invalid input') =>
  new AppError(code, message, 422, { details });
export const unavailable = (code = 'service_unavailable', message = 'Service unavailable', cause?: unknown) =>
  new AppError(code, message, 503, { cause });

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
