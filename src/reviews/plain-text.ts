/**
 * What people type, made safe to keep and show as plain text: Unicode
 * normalised (NFC), line ends as `\n`, tabs as spaces, and no control
 * characters (C0 and C1, which break mails and terminals) nor the bidi
 * overrides that would turn the text around the page. Everything else,
 * in any script or language, stays as written; views print it escaped.
 */
export function plainText(raw: string, { multiline = false } = {}): string {
  let s = raw
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, ' ')
    // eslint-disable-next-line no-control-regex -- removing control characters is the point
    .replace(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\uFEFF]/g, '');
  s = multiline ? s.replace(/[ ]+\n/g, '\n').replace(/\n{3,}/g, '\n\n') : s.replace(/\n+/g, ' ');
  return s.trim();
}

/** "Maria Rossi" → "Maria R."; one word stays as it is; at most 40 characters before the initial. */
export function firstNameAndInitial(fullName: string): string {
  const words = plainText(fullName).split(/\s+/).filter(Boolean);
  if (!words.length) return '';
  const first = [...words[0]!].slice(0, 40).join('');
  if (words.length === 1) return first;
  const initial = [...words[words.length - 1]!][0]!.toLocaleUpperCase('it');
  return `${first} ${initial}.`;
}
