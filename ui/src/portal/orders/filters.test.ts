import { describe, expect, it } from 'vitest';
import { dayOf, dayStart } from '../dates/zoned';
import { filtering, orderFilter } from './filters';

const none = { from: null, to: null, till: null, staff: null, receipt: null };

describe('dayStart', () => {
  it('is midnight in the shop’s zone, summer and winter', () => {
    expect(new Date(dayStart('2025-01-15', 'Europe/Berlin')).toISOString()).toBe('2025-01-14T23:00:00.000Z');
    expect(new Date(dayStart('2025-07-15', 'Europe/Berlin')).toISOString()).toBe('2025-07-14T22:00:00.000Z');
    expect(new Date(dayStart('2025-07-15', 'America/New_York')).toISOString()).toBe('2025-07-15T04:00:00.000Z');
    expect(new Date(dayStart('2025-07-15', 'UTC')).toISOString()).toBe('2025-07-15T00:00:00.000Z');
  });

  it('is right on the days the clocks change', () => {
    // Berlin: 30 March 2025 starts at +01:00 (the change is at 02:00); 31 March at +02:00.
    expect(new Date(dayStart('2025-03-30', 'Europe/Berlin')).toISOString()).toBe('2025-03-29T23:00:00.000Z');
    expect(new Date(dayStart('2025-03-31', 'Europe/Berlin')).toISOString()).toBe('2025-03-30T22:00:00.000Z');
    expect(new Date(dayStart('2025-10-27', 'Europe/Berlin')).toISOString()).toBe('2025-10-26T23:00:00.000Z');
  });
});

describe('dayOf', () => {
  it('is the day an instant falls on where the shop is', () => {
    expect(dayOf('2025-03-01T23:30:00Z', 'Europe/Berlin')).toBe('2025-03-02');
    expect(dayOf('2025-03-01T23:30:00Z', 'UTC')).toBe('2025-03-01');
    expect(dayOf(null, 'UTC')).toBeNull();
  });
});

describe('orderFilter', () => {
  it('sends the window from the start of the first day to the start of the day after the last', () => {
    const filter = orderFilter({ ...none, from: '2025-03-01', to: '2025-03-01' }, 'Europe/Berlin');
    expect(filter).toEqual({ from: '2025-02-28T23:00:00.000Z', to: '2025-03-01T23:00:00.000Z' });
  });

  it('passes till, staff and receipt through, reads "#42" as 42, and drops what is not a day', () => {
    const filter = orderFilter({ from: 'yesterday', to: null, till: 't1', staff: 's1', receipt: ' #42 ' }, 'UTC');
    expect(filter).toEqual({ terminal_id: 't1', staff_id: 's1', receipt_no: '42' });
    expect(orderFilter(none, 'UTC')).toEqual({});
  });

  it('knows when a filter is set', () => {
    expect(filtering(none)).toBe(false);
    expect(filtering({ ...none, receipt: '7' })).toBe(true);
  });
});
