// CSV as spreadsheets write it (RFC 4180: quoted fields, doubled quotes, CRLF or LF), read and
// written without a library: the portal checks an import file row by row before sending it,
// splits large files into parts the server takes, and turns tables into downloads.

/** One record with the file line it starts on (1 = the header), as error reports name it. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** The delimiter a file most likely uses: the one of `,` `;` tab most frequent in its first line. */
export function sniffDelimiter(text: string): string {
  const first = text.slice(0, text.search(/\r?\n|$/));
  let best = ',';
  let bestCount = 0;
  for (const candidate of [',', ';', '\t']) {
    const count = first.split(candidate).length - 1;
    if (count > bestCount) {
      best = candidate;
      bestCount = count;
    }
  }
  return best;
}

/**
 * Splits CSV text into records. A leading byte-order mark is dropped; fields are not trimmed
 * (the caller decides); a quote inside an unquoted field is kept as text.
 */
export function parseCsv(text: string, delimiter = sniffDelimiter(text)): CsvRecord[] {
  const source = text.startsWith('\ufeff') ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const endRecord = () => {
    fields.push(field);
    records.push({ line: recordLine, fields });
    fields = [];
    field = '';
  };
  while (i < source.length) {
    const c = source[i] as string;
    if (quoted) {
      if (c === '"') {
        if (source[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      i++;
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
    } else if (c === delimiter) {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && source[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += c;
    }
    i++;
  }
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}

/** Quotes a field when it holds the delimiter, a quote or a line break. */
export function csvField(value: string | number | boolean | null | undefined, delimiter = ','): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /["\r\n]/.test(text) || text.includes(delimiter) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows to CSV text with CRLF line ends (what spreadsheet programs expect). */
export function toCsv(rows: readonly (readonly (string | number | boolean | null | undefined)[])[], delimiter = ','): string {
  return rows.map((row) => row.map((value) => csvField(value, delimiter)).join(delimiter)).join('\r\n') + '\r\n';
}

/** One part of a split file: valid CSV on its own, with its header. */
export interface CsvPart {
  text: string;
  /** Data records in the part. */
  count: number;
  /** The part's line of each record (as the server counts, header = 1) -> the file's line. */
  lineMap: Map<number, number>;
}

/**
 * Splits a file's data records into parts of at most `maxRows` records and `maxBytes` bytes
 * (UTF-8), each part starting with the header, so every part is a valid file on its own and an
 * error the server names by line can be traced back to the file's line.
 */
export function splitCsv(
  header: readonly string[],
  records: readonly CsvRecord[],
  maxRows: number,
  maxBytes: number,
): CsvPart[] {
  const encoder = new TextEncoder();
  const head = toCsv([header]);
  const headBytes = encoder.encode(head).length;
  const headLines = head.split('\n').length - 1;
  const parts: CsvPart[] = [];
  let body = '';
  let bytes = headBytes;
  let partLine = headLines + 1;
  let lineMap = new Map<number, number>();
  const flush = () => {
    if (lineMap.size === 0) return;
    parts.push({ text: head + body, count: lineMap.size, lineMap });
    body = '';
    bytes = headBytes;
    partLine = headLines + 1;
    lineMap = new Map();
  };
  for (const record of records) {
    const row = toCsv([record.fields]);
    const rowBytes = encoder.encode(row).length;
    if (lineMap.size >= maxRows || (lineMap.size > 0 && bytes + rowBytes > maxBytes)) flush();
    lineMap.set(partLine, record.line);
    body += row;
    bytes += rowBytes;
    partLine += row.split('\n').length - 1;
  }
  flush();
  return parts;
}

/** Offers text or a Blob as a file download (the browser's save dialog or downloads bar). */
export function downloadFile(name: string, content: Blob | string, type = 'text/csv;charset=utf-8'): void {
  const blob = typeof content === 'string' ? new Blob([content], { type }) : content;
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
