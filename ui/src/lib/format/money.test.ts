import { describe, expect, it } from 'vitest';
import {
  formatAmount,
  formatDateTime,
  formatMoney,
  formatPercent,
  formatQty,
  parseAmount,
  parseQty,
  type MoneyFormat,
} from './money';

const eurEn: MoneyFormat = { currency: 'EUR', minorDigits: 2, locale: 'en', timeZone: 'Europe/Berlin' };
const eurDe: MoneyFormat = { ...eurEn, locale: 'de' };
const jpy: MoneyFormat = { currency: 'JPY', minorDigits: 0, locale: 'en', timeZone: 'Asia/Tokyo' };

/** Intl puts a narrow no-break space before "€" in German; compare with plain spaces. */
const plain = (text: string): string => text.replace(/[\u00a0\u202f]/g, ' ');

describe('formatMoney', () => {
  it('formats EUR for English and German shops', () => {
    expect(formatMoney(123456, eurEn)).toBe('€1,234.56');
    expect(plain(formatMoney(123456, eurDe))).toBe('1.234,56 €');
    expect(formatMoney(5, eurEn), 'minor units, not major').toBe('€0.05');
    expect(formatMoney(-250, eurEn)).toBe('-€2.50');
  });

  it('formats a zero-digit currency without decimals', () => {
    expect(formatMoney(1500, jpy)).toBe('¥1,500');
  });

  it('can show the sign of a variance', () => {
    expect(formatMoney(300, eurEn, 'exceptZero')).toBe('+€3.00');
    expect(formatMoney(0, eurEn, 'exceptZero')).toBe('€0.00');
  });
});

describe('formatAmount and parseAmount', () => {
  it('round-trips what a cashier types', () => {
    expect(formatAmount(1250, eurEn)).toBe('12.50');
    expect(formatAmount(1250, eurDe)).toBe('12,50');
    expect(formatAmount(123456, eurDe), 'no grouping in an input').toBe('1234,56');
    expect(parseAmount('12,50', 2)).toBe(1250);
    expect(parseAmount('12.5', 2)).toBe(1250);
    expect(parseAmount('20', 2)).toBe(2000);
    expect(parseAmount('.5', 2)).toBe(50);
    expect(parseAmount(' 7 ', 2)).toBe(700);
  });

  it('rejects what is not an amount', () => {
    expect(parseAmount('', 2)).toBeNull();
    expect(parseAmount('abc', 2)).toBeNull();
    expect(parseAmount('1.234', 2), 'more decimals than the currency has').toBeNull();
    expect(parseAmount('-5', 2)).toBeNull();
    expect(parseAmount(',', 2)).toBeNull();
    expect(parseAmount('500', 0)).toBe(500);
    expect(parseAmount('500.5', 0), 'JPY has no decimals').toBeNull();
  });
});

describe('formatQty and parseQty', () => {
  it('shows pieces plainly and weighed lines in kg with three decimals', () => {
    expect(formatQty(2000, false, 'en')).toBe('2');
    expect(formatQty(1500, false, 'de')).toBe('1,5');
    expect(formatQty(1250, true, 'en')).toBe('1.250 kg');
    expect(plain(formatQty(1250, true, 'de'))).toBe('1,250 kg');
    expect(formatQty(5, true, 'en')).toBe('0.005 kg');
  });

  it('parses typed quantities into milli-units', () => {
    expect(parseQty('2')).toBe(2000);
    expect(parseQty('1,25')).toBe(1250);
    expect(parseQty('0.005')).toBe(5);
    expect(parseQty('0.0005')).toBeNull();
  });
});

describe('dates and percentages', () => {
  it('uses the shop time zone, not the machine one', () => {
    const ms = Date.UTC(2026, 11, 7, 23, 30);
    expect(formatDateTime(ms, eurDe)).toBe('08.12.26, 00:30');
    expect(formatDateTime(ms, { locale: 'en', timeZone: 'America/New_York' })).toBe('12/7/26, 6:30 PM');
  });

  it('formats basis points as a percentage', () => {
    expect(formatPercent(1000, 'en')).toBe('10%');
    expect(plain(formatPercent(1250, 'de'))).toBe('12,5 %');
  });
});
