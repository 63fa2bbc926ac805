import { normalizeText } from '../platform/text';

export { normalizeText };

/** Words of at least two characters, normalised and de-duplicated. */
export function words(s: string): string[] {
  return [
    ...new Set(
      normalizeText(s)
        .split(' ')
        .filter((w) => w.length >= 2),
    ),
  ];
}

/**
 * The search terms stored on a product: every normalised word of its names,
 * descriptions, tags and co-op name in both languages, plus each word's
 * prefixes from three letters, so "pomod" finds "pomodoro" by an index lookup.
 */
export function searchTermsFor(parts: string[]): string[] {
  const out = new Set<string>();
  for (const w of words(parts.join(' '))) {
    out.add(w);
    for (let n = 3; n < w.length && n <= 12; n++) out.add(w.slice(0, n));
  }
  return [...out];
}
