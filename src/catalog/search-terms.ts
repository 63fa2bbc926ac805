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
