/** Lower case, accents removed, anything but letters and digits as spaces: "Caffè d'orzo" → "caffe d orzo". */
export function normalizeText(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** A URL-safe slug of at most 60 characters: "Caffè d'orzo" → "caffe-d-orzo"; `fallback` when nothing is left. */
export function slugOf(name: string, fallback: string): string {
  return normalizeText(name).replace(/\s+/g, '-').slice(0, 60).replace(/-+$/, '') || fallback;
}
