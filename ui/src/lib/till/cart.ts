// Display decisions about the cart that are pure functions of the till's CartView: which tenders
// may be offered, how a line's quantity and discount read, what a customer's balance means.

import type { CartLineView } from '$lib/bindings/CartLineView';
import type { CartView } from '$lib/bindings/CartView';
import type { CustomerView } from '$lib/bindings/CustomerView';
import type { DiscountView } from '$lib/bindings/DiscountView';
import { formatMoney, formatPercent, formatQty, parseAmount, type MoneyFormat } from '$lib/format/money';
import type { TenderKind } from './kinds';

/** One piece, in milli-units. */
export const ONE = 1000;

/** Tender kinds a cart may take: store credit and on account need an attached customer. */
export function tenderKinds(cart: Pick<CartView, 'customer'>): TenderKind[] {
  return cart.customer ? ['cash', 'card', 'store_credit', 'on_account'] : ['cash', 'card'];
}

/** Whether the tenders cover the total, so the sale may be completed. */
export function fullyTendered(cart: Pick<CartView, 'lines' | 'due_minor'>): boolean {
  return cart.lines.length > 0 && cart.due_minor <= 0;
}

/** "2", "1.250 kg": the quantity column of a cart line. */
export function lineQty(line: Pick<CartLineView, 'qty_milli' | 'sold_by_weight'>, locale: string): string {
  return formatQty(line.qty_milli, line.sold_by_weight, locale);
}

/** The quantity after a +/- press: whole pieces only, never below one (remove deletes). */
export function bumpedQty(line: Pick<CartLineView, 'qty_milli' | 'sold_by_weight'>, delta: 1 | -1): number | null {
  if (line.sold_by_weight) return null;
  const next = Math.floor(line.qty_milli / ONE) * ONE + delta * ONE;
  return next >= ONE ? next : null;
}

/** "-10%" or "-€1.00": the tag shown beside a discounted line or cart. */
export function discountLabel(discount: DiscountView, f: MoneyFormat): string {
  return discount.kind === 'percent'
    ? `-${formatPercent(discount.bp, f.locale)}`
    : `-${formatMoney(discount.minor, f)}`;
}

/** Parses what the cashier typed in a discount field: "10" as percent, or an amount. */
export function parseDiscount(text: string, kind: DiscountView['kind'], minorDigits: number): DiscountView | null {
  if (kind === 'percent') {
    const bp = parseAmount(text, 2);
    return bp !== null && bp > 0 && bp <= 10000 ? { kind: 'percent', bp } : null;
  }
  const minor = parseAmount(text, minorDigits);
  return minor !== null && minor > 0 ? { kind: 'amount', minor } : null;
}

/** What a customer's balance means for the cashier. */
export type Balance = { kind: 'debt' | 'credit'; minor: number } | { kind: 'settled' };

/** balance_minor > 0: the customer owes; < 0: store credit they hold. */
export function customerBalance(customer: Pick<CustomerView, 'balance_minor'>): Balance {
  if (customer.balance_minor > 0) return { kind: 'debt', minor: customer.balance_minor };
  if (customer.balance_minor < 0) return { kind: 'credit', minor: -customer.balance_minor };
  return { kind: 'settled' };
}

/**
 * The amount a tender kind is prefilled with: what is due, capped by the store credit the
 * customer holds for a store-credit tender.
 */
export function suggestedTender(kind: TenderKind, cart: Pick<CartView, 'due_minor' | 'customer'>): number {
  const due = Math.max(0, cart.due_minor);
  if (kind === 'store_credit' && cart.customer) {
    const balance = customerBalance(cart.customer);
    return balance.kind === 'credit' ? Math.min(due, balance.minor) : 0;
  }
  return due;
}

/**
 * A quantity typed before a scan or pick: "3*" or "0,5*" means "this many of the next item";
 * "3*milk" also searches for "milk". Only "*" (the numeric keypad's key) and "×" count, so
 * searches such as "3xl" stay searches.
 */
export function splitQtyPrefix(text: string): { qtyMilli: number | null; query: string } {
  const match = /^\s*(\d+(?:[.,]\d{1,3})?)\s*[*×]\s*(.*)$/.exec(text);
  if (!match?.[1]) return { qtyMilli: null, query: text };
  const qty = parseAmount(match[1], 3);
  return qty !== null && qty > 0 ? { qtyMilli: qty, query: match[2] ?? '' } : { qtyMilli: null, query: text };
}
