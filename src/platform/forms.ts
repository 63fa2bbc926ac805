import type { z } from 'zod';

/**
 * Field name → the locale key of its message (`<prefix>.<field>`), from a
 * zod error, for re-rendering a form with 422 and one message per field.
 */
export function fieldErrors(error: z.ZodError, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form');
    out[field] ??= `${prefix}.${field}`;
  }
  return out;
}
