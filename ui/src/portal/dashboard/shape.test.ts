import { describe, expect, it } from 'vitest';
import type { Dashboard } from '../api/types';
import { byDay, byHour, isEmpty, rangeFromParams, tenderMix } from './shape';

const base: Dashboard = {
  currency: 'EUR',
  from: '2026-12-01',
  to: '2026-12-04',
  totals: { orders: 3, sales_minor: 4500, refunds: 1, refunds_minor: 200, net_minor: 4300, avg_basket_minor: 1500 },
  by_day: [
    { day: '2026-12-01', orders: 1, sales_minor: 1000, refunds_minor: 0 },
    { day: '2026-12-03', orders: 2, sales_minor: 3500, refunds_minor: 200 },
  ],
  by_hour: [
    { hour: 7, orders: 1, sales_minor: 1000 },
    { hour: 12, orders: 2, sales_minor: 3500 },
  ],
  tenders: [
    { kind: 'card', amount_minor: 1500 },
    { kind: 'cash', amount_minor: 3000 },
  ],
  top_products: [],
  shops: [],
  variances: [],
};

describe('byDay', () => {
  it('has every day of the range, zero where nothing was sold', () => {
    const days = byDay(base, 'en');
    expect(days.sales).toEqual([1000, 0, 3500, 0]);
    expect(days.refunds).toEqual([0, 0, 200, 0]);
    expect(days.orders).toEqual([1, 0, 2, 0]);
    expect(days.labels).toHaveLength(4);
    expect(days.labels[0]).toBe('Tue, 12/1');
  });
});

describe('byHour', () => {
  it('spans the shop day, widened to the hours that sold', () => {
    const hours = byHour(base);
    expect(hours.labels[0], 'an early sale at 07:00 widens the day').toBe('07:00');
    expect(hours.labels.at(-1)).toBe('20:00');
    expect(hours.sales[0]).toBe(1000);
    expect(hours.sales[hours.labels.indexOf('12:00')]).toBe(3500);
    expect(byHour({ by_hour: [] }).labels).toHaveLength(13);
  });
});

describe('tenderMix', () => {
  it('sorts by amount and gives shares', () => {
    expect(tenderMix(base)).toEqual([
      { kind: 'cash', amountMinor: 3000, share: 2 / 3 },
      { kind: 'card', amountMinor: 1500, share: 1 / 3 },
    ]);
    expect(tenderMix({ tenders: [] })).toEqual([]);
  });
});

describe('rangeFromParams', () => {
  const now = Date.UTC(2026, 11, 9, 10); // Wednesday
  const params = (text: string) => new URLSearchParams(text);

  it('computes presets in the zone', () => {
    expect(rangeFromParams(params('range=week'), now, 'Europe/Berlin')).toEqual({ preset: 'week', from: '2026-12-07', to: '2026-12-09' });
    expect(rangeFromParams(params(''), now, 'UTC')).toEqual({ preset: 'today', from: '2026-12-09', to: '2026-12-09' });
  });

  it('takes a custom range only when it is real days in order, at most a year', () => {
    expect(rangeFromParams(params('range=custom&from=2026-11-01&to=2026-11-30'), now, 'UTC')).toEqual({
      preset: 'custom',
      from: '2026-11-01',
      to: '2026-11-30',
    });
    expect(rangeFromParams(params('range=custom&from=2026-11-30&to=2026-11-01'), now, 'UTC').preset).toBe('today');
    expect(rangeFromParams(params('range=custom&from=2026-02-30&to=2026-03-01'), now, 'UTC').preset).toBe('today');
    expect(rangeFromParams(params('range=custom&from=2020-01-01&to=2026-01-01'), now, 'UTC').preset).toBe('today');
  });

  it('knows an empty dashboard', () => {
    expect(isEmpty(base)).toBe(false);
    expect(isEmpty({ ...base, totals: { ...base.totals, orders: 0, refunds: 0, sales_minor: 0 } })).toBe(true);
  });
});
