// Calendar days in a shop's time zone, as the API's reports count them: "YYYY-MM-DD" strings
// (the business day where the shop is, not where the browser is), the usual ranges a manager
// picks (today, this week from Monday, this month), and day labels for charts and tables.

import type { MoneyFormat } from './money';

/** A calendar day, "YYYY-MM-DD". */
export type Day = string;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar day it is at `ms` in `timeZone`. */
export function dayIn(ms: number, timeZone: string): Day {
  let format = dayFormats.get(timeZone);
  if (!format) {
    // en-CA writes ISO dates (2026-12-07); the zone makes it the shop's day.
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, format);
  }
  return format.format(ms);
}

/** Whether text is a real calendar day in the API's format. */
export function isDay(text: string): text is Day {
  const match = DAY.exec(text);
  if (!match) return false;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** Noon UTC of a day: a timestamp that is that day in every zone's calendar arithmetic. */
function utcNoon(day: Day): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d, 12));
}

function toDay(date: Date): Day {
  return date.toISOString().slice(0, 10);
}

/** `day` moved by `days` (negative goes back). */
export function addDays(day: Day, days: number): Day {
  const date = utcNoon(day);
  date.setUTCDate(date.getUTCDate() + days);
  return toDay(date);
}

/** Every day from `from` to `to`, both included (empty when `to` is before `from`). */
export function daysBetween(from: Day, to: Day, max = 1000): Day[] {
  const days: Day[] = [];
  for (let day = from; day <= to && days.length < max; day = addDays(day, 1)) days.push(day);
  return days;
}

export type RangePreset = 'today' | 'yesterday' | 'week' | 'month' | 'custom';

export interface DayRange {
  from: Day;
  to: Day;
}

/** The days of a preset ending today in the zone: the week starts on Monday (ISO 8601). */
export function presetRange(preset: Exclude<RangePreset, 'custom'>, nowMs: number, timeZone: string): DayRange {
  const today = dayIn(nowMs, timeZone);
  switch (preset) {
    case 'today':
      return { from: today, to: today };
    case 'yesterday': {
      const day = addDays(today, -1);
      return { from: day, to: day };
    }
    case 'week': {
      const weekday = (utcNoon(today).getUTCDay() + 6) % 7; // Monday 0 ... Sunday 6
      return { from: addDays(today, -weekday), to: today };
    }
    case 'month':
      return { from: `${today.slice(0, 8)}01`, to: today };
  }
}

/** A short day label for charts: "Mon, 12/7" / "Mo., 7.12.". */
export function formatDayShort(day: Day, locale: string): string {
  return new Intl.DateTimeFormat(locale, { weekday: 'short', day: 'numeric', month: 'numeric', timeZone: 'UTC' }).format(utcNoon(day));
}

/** A day in full for tables and headings: "Dec 7, 2026" / "07.12.2026". */
export function formatDay(day: Day, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(utcNoon(day));
}

/** Date and time of an RFC 3339 instant or epoch milliseconds in the zone; "" when unreadable. */
export function formatInstant(value: string | number | null | undefined, f: Pick<MoneyFormat, 'locale' | 'timeZone'>): string {
  if (value === null || value === undefined || value === '') return '';
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (Number.isNaN(ms)) return '';
  return new Intl.DateTimeFormat(f.locale, { dateStyle: 'short', timeStyle: 'short', timeZone: f.timeZone }).format(ms);
}

/** "5 min ago" / "vor 5 Min." for a past instant; "" when unreadable. */
export function formatAgo(value: string | number | null | undefined, nowMs: number, locale: string): string {
  if (value === null || value === undefined || value === '') return '';
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (Number.isNaN(ms)) return '';
  const seconds = Math.round((ms - nowMs) / 1000);
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'short' });
  const abs = Math.abs(seconds);
  if (abs < 60) return rtf.format(seconds, 'second');
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(seconds / 3600), 'hour');
  return rtf.format(Math.round(seconds / 86400), 'day');
}
