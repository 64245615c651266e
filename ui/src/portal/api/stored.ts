// Documents the sales API returns as stored carry dates as relaxed extended JSON
// ({"$date": "..."}) next to the tills' own epoch milliseconds; one reader for both.

import type { StoredDate } from './types';

/** Epoch milliseconds of a stored date, a till's `_ms` field, or null. */
export function storedMs(value: StoredDate | number): number | null {
  if (typeof value === 'number') return value;
  if (!value) return null;
  const text = typeof value === 'string' ? value : value.$date;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

/** Sum of a map of amounts (a Z report's variances per tender). */
export function sumValues(values: Record<string, number> | undefined): number {
  return Object.values(values ?? {}).reduce((sum, value) => sum + value, 0);
}
