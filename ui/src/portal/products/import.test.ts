import { describe, expect, it } from 'vitest';
import { checkBarcode, checkCatalogCsv, fileLineOf, importParts, validGtin } from './import';

describe('checkBarcode', () => {
  it('checks GTIN check digits and normalises as the server stores codes', () => {
    expect(validGtin('4006381333931')).toBe(true);
    expect(checkBarcode('4006381333931')).toEqual({ code: '4006381333931' });
    expect(checkBarcode('4006381333932')).toHaveProperty('reason');
    expect(checkBarcode('036000291452'), 'UPC-A gets its leading zero').toEqual({ code: '0036000291452' });
    expect(checkBarcode('ABC-123'), 'own codes pass').toEqual({ code: 'ABC-123' });
  });
});

describe('checkCatalogCsv', () => {
  it('names every bad row by its line, and keeps the good ones', () => {
    const file = [
      'sku,name,price_minor,tax_rate_bp,barcodes',
      'A1,Milk,129,700,4006381333931',
      'A2,,abc,700,',
      'A3,Bread,250,1900,',
      'A1,Again,100,700,',
      'A5,Bad code,100,700,4006381333932',
    ].join('\n');
    const checked = checkCatalogCsv(file);
    expect(checked.rows).toBe(5);
    expect(checked.records.map((r) => r.line)).toEqual([2, 4]);
    expect(checked.problems.map((p) => [p.line, p.field])).toEqual([
      [3, 'name'],
      [3, 'price_minor'],
      [5, 'sku'],
      [6, 'barcodes'],
    ]);
  });

  it('refuses a header without the required columns or with unknown ones', () => {
    const checked = checkCatalogCsv('sku,name,stock\nA,B,3\n');
    expect(checked.problems).toEqual([
      { line: 1, field: 'stock', reason: 'unknown_column' },
      { line: 1, field: 'price_minor', reason: 'missing_column' },
      { line: 1, field: 'tax_rate_bp', reason: 'missing_column' },
    ]);
    expect(checked.records).toEqual([]);
  });

  it('reads semicolon files, the "barcode" column and skips blank lines', () => {
    const checked = checkCatalogCsv('sku;name;price_minor;tax_rate_bp;barcode\n\nX;Käse;199;700;4006381333931\n');
    expect(checked.problems).toEqual([]);
    expect(checked.rows).toBe(1);
  });

  it('maps a server error in a part back to the file line', () => {
    const checked = checkCatalogCsv('sku,name,price_minor,tax_rate_bp\nA,a,1,0\nB,bad,1,0\nC,c,1,0\n');
    const [part] = importParts(checked);
    expect(part && fileLineOf(part, 'line 3')).toBe(3);
    expect(part && fileLineOf(part, 'file')).toBeNull();
  });
});
