// The orders page's filters: what the URL holds (days in the shop's zone, a till, a cashier, a
// receipt number) turned into what the API takes (UTC instants, ids). A manager thinks "orders
// of 3 March" in the shop's calendar; the server compares instants, so the page sends the
// instants where that day starts and where the next one starts, wherever the browser is.

import { addDays, isDay } from '$lib/format/dates';
import type { OrderFilter } from '../api/endpoints';
import { dayStart } from '../dates/zoned';

/** The filters as the URL keeps them. */
export interface OrderParams {
  from: string | null;
  to: string | null;
  till: string | null;
  staff: string | null;
  receipt: string | null;
}

/** The API's filter for the URL's: `to` is a whole day, so the window ends where the next begins. */
export function orderFilter(params: OrderParams, timeZone: string): OrderFilter {
  const out: OrderFilter = {};
  if (params.from && isDay(params.from)) out.from = new Date(dayStart(params.from, timeZone)).toISOString();
  if (params.to && isDay(params.to)) out.to = new Date(dayStart(addDays(params.to, 1), timeZone)).toISOString();
  if (params.till) out.terminal_id = params.till;
  if (params.staff) out.staff_id = params.staff;
  const receipt = params.receipt?.trim().replace(/^#/, '');
  if (receipt) out.receipt_no = receipt;
  return out;
}

/** Whether any filter is set (the empty list then says "no orders match" instead of "none yet"). */
export function filtering(params: OrderParams): boolean {
  return Object.values(params).some((value) => !!value);
}
