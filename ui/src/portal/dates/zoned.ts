// Instants of days in a shop's calendar: the portal lets managers pick days (orders of 3 March,
// a promotion from 1 to 14 April) and the API takes UTC instants, so a day becomes the instant
// it begins where the shop is, whatever zone the browser is in.

import { dayIn, type Day } from '$lib/format/dates';

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** How far `timeZone` is ahead of UTC at `ms`, in milliseconds. */
function offsetAt(ms: number, timeZone: string): number {
  let format = offsetFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    offsetFormats.set(timeZone, format);
  }
  const part = (type: string) => Number(format.formatToParts(ms).find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return wall - Math.floor(ms / 1000) * 1000;
}

/** The instant `day` begins in `timeZone` (midnight there; DST changes happen at night, not at 0:00). */
export function dayStart(day: Day, timeZone: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d);
  // The offset at a guess, then at the instant it gives: right on both sides of a DST change.
  const first = wall - offsetAt(wall, timeZone);
  return wall - offsetAt(first, timeZone);
}

/** The day an instant falls on in the zone (a stored instant back to the day a picker shows). */
export function dayOf(instant: string | null | undefined, timeZone: string): Day | null {
  if (!instant) return null;
  const ms = Date.parse(instant);
  return Number.isNaN(ms) ? null : dayIn(ms, timeZone);
}
