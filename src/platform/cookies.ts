import type { Request } from 'express';

const PARSED = Symbol('cookies');
type Parsed = Request & { [PARSED]?: { header: string; values: Map<string, string | undefined> } };

/**
 * One cookie of the request, decoded; undefined when absent or malformed.
 * The header is split once per request, however many cookies are read.
 */
export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  const r = req as Parsed;
  // Parsed again if something set another header meanwhile (a test, a retry).
  if (r[PARSED]?.header !== header) r[PARSED] = { header, values: parse(header) };
  return r[PARSED].values.get(name);
}

/** Each cookie's value (the first, when a name repeats), decoded; a malformed one as undefined. */
function parse(header: string): Map<string, string | undefined> {
  const values = new Map<string, string | undefined>();
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    const k = (eq < 0 ? part : part.slice(0, eq)).trim();
    if (values.has(k)) continue;
    const v = eq < 0 ? '' : part.slice(eq + 1).trim();
    let value: string | undefined;
    try {
      value = v.includes('%') ? decodeURIComponent(v) : v;
    } catch {
      value = undefined; // a malformed cookie is no preference, not a server error
    }
    values.set(k, value);
  }
  return values;
}
