/**
 * What may reach a log line from a URL. Links mailed to people carry their
 * secret in the path (`/password/reset/<token>`) or the query, forms may
 * carry a CSRF token in the query, and people type card numbers into the
 * search box. Whoever reads the logs must learn none of it, so every URL is
 * passed through `redactUrl` before anything logs it.
 */

/** Routes whose next path segment is a secret, whatever it looks like. */
const SECRET_AFTER = ['reset', 'verify', 'invitations', 'view', 'demo-pay'];

/** Query parameters whose value is a secret. */
const SECRET_PARAM = /token|csrf|secret|passw|session|key|sig|code|auth/i;

/** 13–19 digits, optionally in groups split by spaces or dashes: a card number or something like it. */
const CARD_LIKE = /(?<![\w-])(?:\d[ -]?){12,18}\d(?![\w-])/g;

export const REDACTED = '[redacted]';

const OBJECT_ID = /^[0-9a-f]{24}$/;

/**
 * A long random segment (a token that reached a route we did not list):
 * 20 or more URL-safe characters with an upper-case letter or an underscore,
 * which slugs, ObjectIds and numbers never have.
 */
const looksRandom = (segment: string) =>
  segment.length >= 20 && /^[\w-]+$/.test(segment) && /[A-Z_]/.test(segment) && !OBJECT_ID.test(segment);

const maskCards = (text: string) => text.replace(CARD_LIKE, '[card]');

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** The URL with secrets in its path and query replaced, and card-like numbers masked. */
export function redactUrl(url: string | undefined): string {
  if (!url) return '';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const segments = path.split('/');
  const safePath = segments
    .map((segment, i) => {
      const text = decode(segment);
      if (segment && (SECRET_AFTER.includes(segments[i - 1] ?? '') || looksRandom(text))) return REDACTED;
      const masked = maskCards(text);
      return masked === text ? segment : encodeURIComponent(masked);
    })
    .join('/');
  if (q < 0) return safePath;
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      if (eq < 0) return maskCards(decode(name));
      if (SECRET_PARAM.test(decode(name))) return `${name}=${REDACTED}`;
      const value = decode(pair.slice(eq + 1));
      return `${maskCards(decode(name))}=${encodeURIComponent(maskCards(value))}`;
    });
  return `${safePath}?${params.join('&')}`;
}
