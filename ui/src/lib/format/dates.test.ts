import { describe, expect, it } from 'vitest';
import { addDays, dayIn, daysBetween, formatAgo, formatDay, formatDayShort, formatInstant, isDay, presetRange } from './dates';

// Monday 7 December 2026, 23:30 UTC: already Tuesday the 8th in Berlin.
const lateMonday = Date.UTC(2026, 11, 7, 23, 30);

describe('days in a zone', () => {
  it('is the shop’s calendar day, not the browser’s', () => {
    expect(dayIn(lateMonday, 'UTC')).toBe('2026-12-07');
    expect(dayIn(lateMonday, 'Europe/Berlin')).toBe('2026-12-08');
    expect(dayIn(lateMonday, 'America/New_York')).toBe('2026-12-07');
  });

  it('checks and walks calendar days', () => {
    expect(isDay('2026-02-29')).toBe(false);
    expect(isDay('2028-02-29')).toBe(true);
    expect(isDay('2026-13-01')).toBe(false);
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(daysBetween('2026-03-28', '2026-04-01')).toEqual(['2026-03-28', '2026-03-29', '2026-03-30', '2026-03-31', '2026-04-01']);
    expect(daysBetween('2026-04-02', '2026-04-01')).toEqual([]);
  });
});

describe('presetRange', () => {
  it('starts the week on Monday and the month on the 1st, in the zone', () => {
    expect(presetRange('today', lateMonday, 'Europe/Berlin')).toEqual({ from: '2026-12-08', to: '2026-12-08' });
    expect(presetRange('yesterday', lateMonday, 'Europe/Berlin')).toEqual({ from: '2026-12-07', to: '2026-12-07' });
    expect(presetRange('week', lateMonday, 'Europe/Berlin'), 'Tuesday: from Monday').toEqual({ from: '2026-12-07', to: '2026-12-08' });
    expect(presetRange('week', lateMonday, 'UTC'), 'Monday: just Monday').toEqual({ from: '2026-12-07', to: '2026-12-07' });
    expect(presetRange('week', Date.UTC(2026, 11, 13, 12), 'UTC'), 'Sunday: the whole week').toEqual({ from: '2026-12-07', to: '2026-12-13' });
    expect(presetRange('month', lateMonday, 'Europe/Berlin')).toEqual({ from: '2026-12-01', to: '2026-12-08' });
  });
});

describe('labels', () => {
  it('formats days in the UI language', () => {
    expect(formatDayShort('2026-12-07', 'en')).toBe('Mon, 12/7');
    expect(formatDayShort('2026-12-07', 'de')).toBe('Mo., 7.12.');
    expect(formatDay('2026-12-07', 'de')).toBe('07.12.2026');
  });

  it('formats instants in the zone and relative times', () => {
    expect(formatInstant('2026-12-07T23:30:00Z', { locale: 'de', timeZone: 'Europe/Berlin' })).toBe('08.12.26, 00:30');
    expect(formatInstant(null, { locale: 'de', timeZone: 'UTC' })).toBe('');
    expect(formatAgo(lateMonday - 5 * 60_000, lateMonday, 'en')).toBe('5 min. ago');
    expect(formatAgo('nonsense', lateMonday, 'en')).toBe('');
  });
});
