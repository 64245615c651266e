// Money, quantity and time formatting for every front end, via Intl. Amounts travel as integer
// minor units and quantities as milli-units (see the till contract); this module is the one
// place that turns them into text and parses what a cashier types back into integers.

/** What formatting needs to know about a shop: its currency and where it is. */
export interface MoneyFormat {
  /** ISO 4217 code, e.g. "EUR". */
  currency: string;
  /** Digits after the decimal point for this currency (2 for EUR, 0 for JPY). */
  minorDigits: number;
  /** BCP 47 tag, e.g. "en" or "de". */
  locale: string;
  /** IANA zone of the shop, e.g. "Europe/Berlin". */
  timeZone: string;
}

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();

function numberFormat(key: string, locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  let format = cache.get(key);
  if (!(format instanceof Intl.NumberFormat)) {
    format = new Intl.NumberFormat(locale, options);
    cache.set(key, format);
  }
  return format;
}

function dateFormat(key: string, locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let format = cache.get(key);
  if (!(format instanceof Intl.DateTimeFormat)) {
    format = new Intl.DateTimeFormat(locale, options);
    cache.set(key, format);
  }
  return format;
}

function toMajor(minor: number, minorDigits: number): number {
  return minor / 10 ** minorDigits;
}

/** `1234` cents in EUR/en -> "€12.34"; in EUR/de -> "12,34 €". */
export function formatMoney(minor: number, f: MoneyFormat, signDisplay: 'auto' | 'exceptZero' = 'auto'): string {
  const key = `money|${f.locale}|${f.currency}|${f.minorDigits}|${signDisplay}`;
  return numberFormat(key, f.locale, {
    style: 'currency',
    currency: f.currency,
    minimumFractionDigits: f.minorDigits,
    maximumFractionDigits: f.minorDigits,
    signDisplay,
  }).format(toMajor(minor, f.minorDigits));
}

/** The amount without the currency symbol, as a cashier would type it: "12.34" / "12,34". */
export function formatAmount(minor: number, f: Pick<MoneyFormat, 'locale' | 'minorDigits'>): string {
  const key = `amount|${f.locale}|${f.minorDigits}`;
  return numberFormat(key, f.locale, {
    minimumFractionDigits: f.minorDigits,
    maximumFractionDigits: f.minorDigits,
    useGrouping: false,
  }).format(toMajor(minor, f.minorDigits));
}

/**
 * Parses a typed amount in major units ("12", "12.5", "12,50") into minor units.
 * Either "." or "," is the decimal mark, whatever the locale, because a cashier types on a
 * numeric keypad whose decimal key may send either. Returns null for anything else,
 * including more decimals than the currency has.
 */
export function parseAmount(text: string, minorDigits: number): number | null {
  const match = /^\s*(\d{1,12})?(?:[.,](\d*))?\s*$/.exec(text);
  if (!match || (match[1] === undefined && !match[2])) return null;
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  if (fraction.length > minorDigits) return null;
  return Number(whole) * 10 ** minorDigits + Number(fraction.padEnd(minorDigits, '0') || '0');
}

/** Pieces as a plain number ("2", "1.5"); weighed quantities in kg with three decimals. */
export function formatQty(qtyMilli: number, soldByWeight: boolean, locale: string): string {
  if (soldByWeight) {
    return numberFormat(`kg|${locale}`, locale, {
      style: 'unit',
      unit: 'kilogram',
      minimumFractionDigits: 3,
      maximumFractionDigits: 3,
    }).format(qtyMilli / 1000);
  }
  return numberFormat(`qty|${locale}`, locale, { maximumFractionDigits: 3 }).format(qtyMilli / 1000);
}

/** Parses a typed quantity ("2", "1,25", "0.5") into milli-units; at most three decimals. */
export function parseQty(text: string): number | null {
  return parseAmount(text, 3);
}

/** Date and time in the shop's zone, e.g. "07/12/2026, 14:03" / "07.12.26, 14:03". */
export function formatDateTime(ms: number, f: Pick<MoneyFormat, 'locale' | 'timeZone'>): string {
  const key = `datetime|${f.locale}|${f.timeZone}`;
  return dateFormat(key, f.locale, { dateStyle: 'short', timeStyle: 'short', timeZone: f.timeZone }).format(ms);
}

/** Time of day in the shop's zone, e.g. "14:03". */
export function formatTime(ms: number, f: Pick<MoneyFormat, 'locale' | 'timeZone'>): string {
  const key = `time|${f.locale}|${f.timeZone}`;
  return dateFormat(key, f.locale, { timeStyle: 'short', timeZone: f.timeZone }).format(ms);
}

/** A percentage from basis points: 1250 -> "12.5%" / "12,5 %". */
export function formatPercent(bp: number, locale: string): string {
  return numberFormat(`pct|${locale}`, locale, { style: 'percent', maximumFractionDigits: 2 }).format(bp / 10000);
}
