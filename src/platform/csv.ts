import { stringify, type Options } from 'csv-stringify/sync';

/**
 * The one CSV writer (RFC 4180, CRLF line ends), on csv-stringify. Every
 * export goes through it, because a cell is user input: a product name with a
 * carriage return must not end the row, and one that starts like a formula
 * (`=`, `+`, `-`, `@`, a tab or CR, or their full-width forms) must not run in
 * a spreadsheet, so it is prefixed with `'`. Numbers (including negative
 * amounts, and amounts already formatted as text like `-12.50`) are written as
 * they are.
 *
 * We defuse in `cast` rather than with csv-stringify's `escape_formulas`
 * because that option also prefixes a numeric *string* such as `-12.50`, and
 * the money exports write amounts as formatted strings.
 */
const NUMBER = /^-?\d+(\.\d+)?$/;
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

function text(value: string): string {
  return FORMULA_START.test(value) && !NUMBER.test(value) ? `'${value}` : value;
}

const OPTIONS: Options = {
  record_delimiter: 'windows',
  // Setting record_delimiter turns csv-stringify's quoting of a lone CR or LF
  // off by default; a lone CR ends the row in Excel, so quote both.
  quote_record_delimiter: true,
  // Excel set to Italian splits on `;`: quoted, a cell stays whole either way.
  quoted_match: [';'],
  cast: {
    string: text,
    date: (d) => d.toISOString(),
    boolean: (b) => String(b),
    // ObjectIds and the like: their string form, not their JSON.
    object: (o) => text(String(o)),
  },
};

/** One cell: Dates as ISO 8601, null and undefined as empty. */
export function csvCell(value: unknown): string {
  return stringify([[value]], { ...OPTIONS, eof: false });
}

/** A whole file: the header row, then one row per entry. */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return stringify([header, ...rows] as unknown[][], OPTIONS);
}
