// The dashboard's figures shaped for its charts and tables: every day of the range and every
// hour present (days without sales are zero, not missing bars), the tender mix as shares, and
// the date range the URL asks for, checked.

import { daysBetween, formatDayShort, isDay, presetRange, type DayRange, type RangePreset } from '$lib/format/dates';
import type { Dashboard } from '../api/types';

export interface SeriesData {
  labels: string[];
  /** Minor units per label. */
  sales: number[];
  refunds: number[];
  orders: number[];
}

/** Longest custom range the dashboard asks for (a year and a day, leap years included). */
export const MAX_RANGE_DAYS = 367;

/** Sales, refunds and orders for each day from `from` to `to`, zero where the server has none. */
export function byDay(dashboard: Pick<Dashboard, 'from' | 'to' | 'by_day'>, locale: string): SeriesData {
  const known = new Map(dashboard.by_day.map((row) => [row.day, row]));
  const days = daysBetween(dashboard.from, dashboard.to, MAX_RANGE_DAYS);
  return {
    labels: days.map((day) => formatDayShort(day, locale)),
    sales: days.map((day) => known.get(day)?.sales_minor ?? 0),
    refunds: days.map((day) => known.get(day)?.refunds_minor ?? 0),
    orders: days.map((day) => known.get(day)?.orders ?? 0),
  };
}

/**
 * Sales and orders per hour of the day. Hours run from the first to the last hour with
 * orders, widened to a shop day of 08-20 so a quiet morning still reads as a day.
 */
export function byHour(dashboard: Pick<Dashboard, 'by_hour'>): SeriesData {
  const known = new Map(dashboard.by_hour.map((row) => [row.hour, row]));
  const active = dashboard.by_hour.filter((row) => row.orders > 0 || row.sales_minor !== 0).map((row) => row.hour);
  const first = Math.min(8, ...active);
  const last = Math.max(20, ...active);
  const hours: number[] = [];
  for (let hour = Math.max(0, first); hour <= Math.min(23, last); hour++) hours.push(hour);
  return {
    labels: hours.map((hour) => `${String(hour).padStart(2, '0')}:00`),
    sales: hours.map((hour) => known.get(hour)?.sales_minor ?? 0),
    refunds: hours.map(() => 0),
    orders: hours.map((hour) => known.get(hour)?.orders ?? 0),
  };
}

export interface TenderShare {
  kind: string;
  amountMinor: number;
  /** 0..1 of all tenders. */
  share: number;
}

/** Tenders by amount, largest first, each with its share of the total. */
export function tenderMix(dashboard: Pick<Dashboard, 'tenders'>): TenderShare[] {
  const total = dashboard.tenders.reduce((sum, tender) => sum + Math.max(0, tender.amount_minor), 0);
  return [...dashboard.tenders]
    .sort((a, b) => b.amount_minor - a.amount_minor)
    .map((tender) => ({
      kind: tender.kind,
      amountMinor: tender.amount_minor,
      share: total > 0 ? Math.max(0, tender.amount_minor) / total : 0,
    }));
}

export interface RangeChoice extends DayRange {
  preset: RangePreset;
}

/**
 * The range the URL asks for: a preset (`range=today|yesterday|week|month`) computed in the
 * shop's zone, or `range=custom&from=&to=` when both are real days in order and at most a
 * year apart; anything else falls back to today.
 */
export function rangeFromParams(params: URLSearchParams, nowMs: number, timeZone: string): RangeChoice {
  const preset = params.get('range');
  if (preset === 'custom') {
    const from = params.get('from') ?? '';
    const to = params.get('to') ?? '';
    if (isDay(from) && isDay(to) && from <= to && daysBetween(from, to, MAX_RANGE_DAYS + 1).length <= MAX_RANGE_DAYS) {
      return { preset: 'custom', from, to };
    }
  }
  if (preset === 'yesterday' || preset === 'week' || preset === 'month') {
    return { preset, ...presetRange(preset, nowMs, timeZone) };
  }
  return { preset: 'today', ...presetRange('today', nowMs, timeZone) };
}

/** Whether a dashboard has anything sold or refunded in it. */
export function isEmpty(dashboard: Dashboard): boolean {
  return dashboard.totals.orders === 0 && dashboard.totals.refunds === 0 && dashboard.totals.sales_minor === 0;
}
