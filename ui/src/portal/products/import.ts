// Checking a catalog CSV in the browser before it is sent, with the server's own rules
// (sync-server catalog/sheet.rs): the server stops at the first bad row, so the manager would
// fix one line per upload; here every bad row is listed at once, by the file's line number.
// Good files are split into parts the server takes (at most 10,000 rows and well under the
// 1 MiB body limit), sent one after another for a progress bar. Re-importing a file is
// harmless (rows are matched by SKU; unchanged rows write nothing), so after a failure the
// whole fixed file can simply be sent again.

import { parseCsv, splitCsv, type CsvPart, type CsvRecord } from '$lib/csv/csv';

export const COLUMNS = ['sku', 'name', 'barcodes', 'price_minor', 'tax_rate_bp', 'tax_inclusive', 'category', 'is_weighed'] as const;
export const REQUIRED = ['sku', 'name', 'price_minor', 'tax_rate_bp'] as const;
/** The server's row limit per request. */
export const MAX_ROWS_PER_PART = 10_000;
/** Below the server's 1 MiB body limit, with room for the header and line ends. */
export const MAX_BYTES_PER_PART = 900 * 1024;

type Column = (typeof COLUMNS)[number];

/** A problem with the file or one of its rows; `line` 0 is about the whole file. */
export interface RowProblem {
  line: number;
  field: string;
  reason: string;
}

export interface CheckedFile {
  /** Column name -> index in each record. */
  columns: Partial<Record<Column, number>>;
  header: string[];
  /** Data records without problems. */
  records: CsvRecord[];
  rows: number;
  problems: RowProblem[];
}

const FLAGS = new Set(['', '1', 'true', 'yes', 'y', '0', 'false', 'no', 'n']);

/** GS1 check digit of an all-digit code of 8, 12, 13 or 14 digits. */
export function validGtin(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length - 1; i++) {
    const digit = Number(digits[digits.length - 2 - i]);
    sum += digit * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10 === Number(digits[digits.length - 1]);
}

/** Normalises a barcode as the server stores it, or says why it is not one. */
export function checkBarcode(code: string): { code: string } | { reason: string } {
  const trimmed = code.trim();
  const digits = /^[\d -]+$/.test(trimmed) ? trimmed.replace(/[ -]/g, '') : trimmed;
  if (/^\d+$/.test(digits) && [8, 12, 13, 14].includes(digits.length)) {
    if (!validGtin(digits)) return { reason: `\`${trimmed}\` has a wrong check digit` };
    if (digits.length === 12) return { code: `0${digits}` };
    if (digits.length === 14 && digits.startsWith('0')) return { code: digits.slice(1) };
    return { code: digits };
  }
  if (!/^[\x20-\x7e]{1,80}$/.test(trimmed)) return { reason: `\`${trimmed}\` is not a barcode` };
  return { code: trimmed };
}

function wholeNumber(text: string): number | null {
  return /^-?\d{1,15}$/.test(text) ? Number(text) : null;
}

/** Reads the header and checks every row; nothing is sent yet. */
export function checkCatalogCsv(text: string): CheckedFile {
  const all = parseCsv(text);
  const problems: RowProblem[] = [];
  const headerRecord = all[0];
  const header = (headerRecord?.fields ?? []).map((name) => name.trim());
  const columns: Partial<Record<Column, number>> = {};
  header.forEach((raw, index) => {
    const name = raw.toLowerCase() === 'barcode' ? 'barcodes' : raw.toLowerCase();
    if (!(COLUMNS as readonly string[]).includes(name)) {
      problems.push({ line: 1, field: raw || `#${index + 1}`, reason: 'unknown_column' });
    } else if (columns[name as Column] !== undefined) {
      problems.push({ line: 1, field: name, reason: 'duplicate_column' });
    } else {
      columns[name as Column] = index;
    }
  });
  for (const required of REQUIRED) {
    if (columns[required] === undefined) problems.push({ line: 1, field: required, reason: 'missing_column' });
  }
  const records: CsvRecord[] = [];
  if (problems.length > 0) return { columns, header, records, rows: 0, problems };

  const skus = new Map<string, number>();
  const codes = new Map<string, number>();
  let rows = 0;
  for (const record of all.slice(1)) {
    if (record.fields.every((field) => field.trim() === '')) continue;
    rows++;
    const field = (name: Column) => {
      const index = columns[name];
      return index === undefined ? '' : (record.fields[index] ?? '').trim();
    };
    const before = problems.length;
    const problem = (name: string, reason: string) => problems.push({ line: record.line, field: name, reason });
    if (record.fields.length !== header.length) problem('row', `has ${record.fields.length} fields, the header ${header.length}`);
    const sku = field('sku');
    if (!sku || sku.length > 64 || /\s/.test(sku)) problem('sku', 'must be 1 to 64 characters without spaces');
    else if (skus.has(sku)) problem('sku', `${sku} appears twice in the file (line ${skus.get(sku)})`);
    else skus.set(sku, record.line);
    const name = field('name');
    if (!name || [...name].length > 120) problem('name', 'must be 1 to 120 characters');
    const price = wholeNumber(field('price_minor'));
    if (price === null) problem('price_minor', `\`${field('price_minor')}\` is not a whole number`);
    else if (price < 0 || price > 10_000_000_000) problem('price_minor', 'must be between 0 and 10,000,000,000 minor units');
    const tax = wholeNumber(field('tax_rate_bp'));
    if (tax === null) problem('tax_rate_bp', `\`${field('tax_rate_bp')}\` is not a whole number`);
    else if (tax < 0 || tax > 10_000) problem('tax_rate_bp', 'must be 0 to 10000 (100 %)');
    for (const flag of ['tax_inclusive', 'is_weighed'] as const) {
      if (!FLAGS.has(field(flag).toLowerCase())) problem(flag, `\`${field(flag)}\` is not true or false`);
    }
    for (const raw of field('barcodes').split(/[| ]/).filter(Boolean)) {
      const checked = checkBarcode(raw);
      if ('reason' in checked) problem('barcodes', checked.reason);
      else if (codes.has(checked.code) && codes.get(checked.code) !== record.line) {
        problem('barcodes', `${checked.code} appears twice in the file (line ${codes.get(checked.code)})`);
      } else codes.set(checked.code, record.line);
    }
    if (problems.length === before) records.push(record);
  }
  if (rows === 0) problems.push({ line: 0, field: 'file', reason: 'no_rows' });
  return { columns, header, records, rows, problems };
}

/** The good rows as parts to send one after another. */
export function importParts(file: CheckedFile): CsvPart[] {
  return splitCsv(file.header, file.records, MAX_ROWS_PER_PART, MAX_BYTES_PER_PART);
}

/** The file line of an error the server named by its part's line ("line 3"), if it did. */
export function fileLineOf(part: CsvPart, field: string): number | null {
  const match = /^line (\d+)$/.exec(field);
  if (!match) return null;
  return part.lineMap.get(Number(match[1])) ?? null;
}
