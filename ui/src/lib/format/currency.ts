// What a currency code implies for amounts: how many digits follow the decimal mark (EUR 2,
// JPY 0, BHD 3), from the platform's own ISO 4217 data via Intl.

const digits = new Map<string, number>();

/** Minor-unit digits of an ISO 4217 currency; 2 for a code Intl does not know. */
export function minorDigitsOf(currency: string): number {
  const code = currency.toUpperCase();
  let value = digits.get(code);
  if (value === undefined) {
    try {
      value = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      value = 2;
    }
    digits.set(code, value);
  }
  return value;
}
