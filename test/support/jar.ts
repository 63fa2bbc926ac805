import type { Response } from 'supertest';

/**
 * A browser's cookie jar kept by hand, so a test can send what a browser
 * would (the cookies its last response set) or leave one out.
 */
export class Jar {
  readonly cookies = new Map<string, string>();
  take(res: Response): void {
    for (const set of ([] as string[]).concat(res.headers['set-cookie'] ?? [])) {
      const pair = set.split(';')[0]!;
      const name = pair.slice(0, pair.indexOf('='));
      if (/;\s*max-age=0/i.test(set)) this.cookies.delete(name);
      else this.cookies.set(name, pair);
    }
  }
  header(without: string[] = []): string {
    return [...this.cookies]
      .filter(([name]) => !without.includes(name))
      .map(([, pair]) => pair)
      .join('; ');
  }
}

/** Response headers that must match between the two paths: all but those that differ per response. */
export function comparable(res: Response): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    if (['date', 'x-request-id', 'set-cookie', 'connection', 'keep-alive'].includes(name)) continue;
    out[name] = value;
  }
  return out;
}
