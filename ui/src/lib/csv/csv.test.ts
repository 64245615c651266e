import { describe, expect, it } from 'vitest';
import { csvField, parseCsv, sniffDelimiter, splitCsv, toCsv } from './csv';

describe('parseCsv', () => {
  it('reads quoted fields, doubled quotes and CRLF, with each record’s line', () => {
    const records = parseCsv('\ufeffsku,name\r\nA,"Milk, 1 l"\r\nB,"Say ""hi"""\r\n');
    expect(records).toEqual([
      { line: 1, fields: ['sku', 'name'] },
      { line: 2, fields: ['A', 'Milk, 1 l'] },
      { line: 3, fields: ['B', 'Say "hi"'] },
    ]);
  });

  it('counts lines inside quoted fields, so later records keep their file line', () => {
    const records = parseCsv('a,b\n1,"two\nlines"\n3,x');
    expect(records.map((r) => r.line)).toEqual([1, 2, 4]);
    expect(records[1]?.fields[1]).toBe('two\nlines');
  });

  it('finds semicolon and tab files (German spreadsheets write semicolons)', () => {
    expect(sniffDelimiter('sku;name;price_minor\n')).toBe(';');
    expect(sniffDelimiter('sku\tname\n')).toBe('\t');
    expect(parseCsv('a;b\n1;2')[1]?.fields).toEqual(['1', '2']);
  });
});

describe('toCsv', () => {
  it('quotes only what needs it and ends lines with CRLF', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "x"')).toBe('"say ""x"""');
    expect(toCsv([['a', 1, null], ['b', true, 'c\nd']])).toBe('a,1,\r\nb,true,"c\nd"\r\n');
  });

  it('round-trips through parseCsv', () => {
    const rows = [['sku', 'name'], ['X', 'Käse "alt", 200 g'], ['Y', 'two\nlines']];
    expect(parseCsv(toCsv(rows)).map((r) => r.fields)).toEqual(rows);
  });
});

describe('splitCsv', () => {
  const records = Array.from({ length: 5 }, (_v, i) => ({ line: i + 2, fields: [`S${i}`, `name ${i}`] }));

  it('cuts parts by rows, each with the header, mapping part lines to file lines', () => {
    const parts = splitCsv(['sku', 'name'], records, 2, 1_000_000);
    expect(parts.map((p) => p.count)).toEqual([2, 2, 1]);
    expect(parts[1]?.text).toBe('sku,name\r\nS2,name 2\r\nS3,name 3\r\n');
    expect(parts[1]?.lineMap.get(2), 'the part’s line 2 is the file’s line 4').toBe(4);
    expect(parts[2]?.lineMap.get(2)).toBe(6);
  });

  it('cuts parts by size', () => {
    const parts = splitCsv(['sku', 'name'], records, 100, 30);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(new TextEncoder().encode(part.text).length <= 30 || part.count === 1).toBe(true);
    expect(parts.reduce((n, p) => n + p.count, 0)).toBe(5);
  });

  it('keeps line numbers right after a record spanning two lines', () => {
    const parts = splitCsv(['sku', 'name'], [{ line: 2, fields: ['A', 'x\ny'] }, { line: 4, fields: ['B', 'z'] }], 10, 1000);
    expect(parts[0]?.lineMap).toEqual(new Map([[2, 2], [4, 4]]));
  });
});
