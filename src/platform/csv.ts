/**
 * The one CSV writer (RFC 4180, CRLF line ends). Every export goes through
 * it, because a cell is user input: a product name with a carriage return
 * must not end the row, and one that starts like a formula (`=`, `+`, `-`,
 * `@`, a tab or CR) must not run in a spreadsheet, so it is prefixed with
 * `'`. Numbers (including negative amounts) are written as they are.
 */
const NUMBER = /^-?\d+(\.\d+)?$/;
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",;\r\n]/;

/** One cell: Dates as ISO 8601, null and undefined as empty. */
export function csvCell(value: unknown): string {
  let text = value == null ? '' : value instanceof Date ? value.toISOString() : String(value);
  if (FORMULA_START.test(text) && !NUMBER.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A whole file: the header row, then one row per entry. */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
