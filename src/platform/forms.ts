import type { z } from 'zod';

/**
 * Where the locale key of a field's message comes from:
 * - a prefix string (`'accounts.errors'`): the key is `<prefix>.<field>`, because
 *   that locale file has one message per field;
 * - `{ fallback }`: the schema wrote the key itself as the issue's message
 *   (`.min(1, 'workspace.errors.required')`). A message zod worded on its own
 *   (say, for an unknown enum value) is not a key of that locale file (it does
 *   not start with the fallback's first segment), so it becomes `fallback`.
 */
export type FieldErrorKeys = string | { fallback: string };

/**
 * Field → the locale key of its message, from a zod error, for re-rendering a
 * form with 422 and one message per field (the first problem of a field wins).
 * The field is the issue's path joined with dots, as the forms name their
 * inputs (`vSku.2` is the third variant's SKU), or `form` for a problem of the
 * whole form.
 */
export function fieldErrors(error: z.ZodError, keys: FieldErrorKeys): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = issue.path.map(String).join('.') || 'form';
    out[field] ??= keyOf(issue, keys);
  }
  return out;
}

function keyOf(issue: z.ZodError['issues'][number], keys: FieldErrorKeys): string {
  if (typeof keys === 'string') return `${keys}.${String(issue.path[0] ?? 'form')}`;
  const namespace = `${keys.fallback.split('.')[0]}.`;
  return issue.message.startsWith(namespace) ? issue.message : keys.fallback;
}
