import type { RequestHandler } from 'express';
import { labeller, type Label, type Translate } from '../platform/i18n';

/**
 * Words for what the payouts feature writes into free-text fields beside
 * its codes. A transfer's hold reason is a code (`policy`, `dispute`…),
 * "released by <email>" / "held by <email>", or an admin's own words; a
 * bulk release's note is a transfer state, an error code, or
 * "<code>: <provider message>". Codes become words, people's words stay.
 */
export function holdReasonText(t: Translate, label: Label, reason: string | null | undefined): string {
  const by = /^(released|held) by (.+)$/.exec(reason ?? '');
  if (by) return t(`admin.holdReason.${by[1]}By`, { actor: by[2]! });
  return label('admin.holdReason', reason);
}

/** A transfer state, an error code, or "<code>: <detail>" as words (the provider's own detail kept, in brackets). */
export function transferNoteText(label: Label, note: string | null | undefined): string {
  const m = /^([a-z][a-z0-9_]*)(?:: ([\s\S]*))?$/.exec(note ?? '');
  if (!m) return note ?? '';
  const [, code, detail] = m;
  const state = label('admin.state', code);
  const words = state !== code ? state : label('admin.transferError', code);
  return detail && detail !== code ? `${words} (${detail})` : words;
}

/** Puts both helpers beside `t` and `label` for the admin pages. */
export const adminLabels: RequestHandler = (req, res, next) => {
  const label = labeller(req.t);
  res.locals.holdReasonText = (reason: string | null | undefined) => holdReasonText(req.t, label, reason);
  res.locals.transferNoteText = (note: string | null | undefined) => transferNoteText(label, note);
  next();
};
