// Cash arithmetic the pay and Z screens show before the till confirms it: quick tender amounts,
// cash rounding, change due and the drawer's denominations. The till stays the authority for
// what is booked; these only decide what the buttons offer.

/** Notes and coins per currency, largest first, in minor units. */
const DENOMINATIONS: Record<string, number[]> = {
  EUR: [50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1],
  USD: [10000, 5000, 2000, 1000, 500, 200, 100, 50, 25, 10, 5, 1],
  GBP: [5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1],
  CHF: [100000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5],
  JPY: [10000, 5000, 2000, 1000, 500, 100, 50, 10, 5, 1],
};

/** The lowest-valued banknote per currency; smaller denominations are coins. */
const SMALLEST_NOTE: Record<string, number> = {
  EUR: 500,
  USD: 100,
  GBP: 500,
  CHF: 1000,
  JPY: 1000,
};

/**
 * The drawer's denominations for a currency, largest first. Unknown currencies get the
 * 1-2-5 series from 500 major units down to one minor unit.
 */
export function denominations(currency: string, minorDigits: number): number[] {
  const known = DENOMINATIONS[currency.toUpperCase()];
  if (known) return known;
  const series: number[] = [];
  for (let exp = 2 + minorDigits; exp >= 0; exp -= 1) {
    for (const step of [5, 2, 1]) series.push(step * 10 ** exp);
  }
  return series;
}

/** Banknotes only (the values a customer hands over for "next round note"). */
export function notes(currency: string, minorDigits: number): number[] {
  const all = denominations(currency, minorDigits);
  const smallest = SMALLEST_NOTE[currency.toUpperCase()] ?? 10 ** minorDigits * 5;
  return all.filter((value) => value >= smallest);
}

/**
 * Rounds a cash amount to the shop's cash step (1 = none, 5 = 0.05), half away from zero, as
 * Swedish-style rounding does for the cash tender.
 */
export function roundCash(minor: number, step: number): number {
  if (step <= 1) return minor;
  return Math.sign(minor) * Math.round(Math.abs(minor) / step) * step;
}

/**
 * The quick amounts offered for a cash tender: the exact (cash-rounded) amount first, then the
 * due rounded up to each note (14.20 -> 15, 20, 50, 100 in EUR), without duplicates, at most
 * `max` in all.
 */
export function quickCashAmounts(
  dueMinor: number,
  currency: string,
  minorDigits: number,
  cashStep: number,
  max = 5,
): number[] {
  if (dueMinor <= 0) return [];
  const exact = roundCash(dueMinor, cashStep);
  const amounts = [exact];
  const ascending = [...notes(currency, minorDigits)].reverse();
  for (const note of ascending) {
    const next = Math.ceil(dueMinor / note) * note;
    if (next > exact && !amounts.includes(next)) amounts.push(next);
  }
  return amounts.sort((a, b) => a - b).slice(0, max);
}

/** Change for a tendered amount (never negative: an under-tender leaves an amount due). */
export function changeDue(tenderedMinor: number, dueMinor: number): number {
  return Math.max(0, tenderedMinor - dueMinor);
}

/** Total of a denomination count: {5000: 2, 200: 3} -> 10600. */
export function countedTotal(counts: ReadonlyMap<number, number>): number {
  let total = 0;
  for (const [value, count] of counts) total += value * count;
  return total;
}
