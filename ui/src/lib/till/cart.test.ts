import { describe, expect, it } from 'vitest';
import type { CustomerView } from '$lib/bindings/CustomerView';
import type { MoneyFormat } from '$lib/format/money';
import {
  bumpedQty,
  customerBalance,
  discountLabel,
  fullyTendered,
  lineQty,
  parseDiscount,
  splitQtyPrefix,
  suggestedTender,
  tenderKinds,
} from './cart';

const eur: MoneyFormat = { currency: 'EUR', minorDigits: 2, locale: 'en', timeZone: 'UTC' };
const customer = (balance_minor: number): CustomerView => ({
  id: 'c1',
  name: 'Ana',
  phone: null,
  email: null,
  balance_minor,
  credit_limit_minor: 10000,
});

describe('cart display logic', () => {
  it('offers store credit and on account only with a customer attached', () => {
    expect(tenderKinds({ customer: null })).toEqual(['cash', 'card']);
    expect(tenderKinds({ customer: customer(0) })).toEqual(['cash', 'card', 'store_credit', 'on_account']);
  });

  it('allows completing only a non-empty, fully tendered cart', () => {
    expect(fullyTendered({ lines: [], due_minor: 0 })).toBe(false);
    const lines = [{}] as never[];
    expect(fullyTendered({ lines, due_minor: 0 })).toBe(true);
    expect(fullyTendered({ lines, due_minor: 1 })).toBe(false);
  });

  it('shows pieces and weights', () => {
    expect(lineQty({ qty_milli: 3000, sold_by_weight: false }, 'en')).toBe('3');
    expect(lineQty({ qty_milli: 1250, sold_by_weight: true }, 'en')).toBe('1.250 kg');
  });

  it('bumps whole pieces, never below one, and never weighed lines', () => {
    expect(bumpedQty({ qty_milli: 2000, sold_by_weight: false }, 1)).toBe(3000);
    expect(bumpedQty({ qty_milli: 2000, sold_by_weight: false }, -1)).toBe(1000);
    expect(bumpedQty({ qty_milli: 1000, sold_by_weight: false }, -1), 'removing is its own action').toBeNull();
    expect(bumpedQty({ qty_milli: 1250, sold_by_weight: true }, 1)).toBeNull();
  });

  it('labels and parses discounts', () => {
    expect(discountLabel({ kind: 'percent', bp: 1000 }, eur)).toBe('-10%');
    expect(discountLabel({ kind: 'amount', minor: 150 }, eur)).toBe('-€1.50');
    expect(parseDiscount('10', 'percent', 2)).toEqual({ kind: 'percent', bp: 1000 });
    expect(parseDiscount('12,5', 'percent', 2)).toEqual({ kind: 'percent', bp: 1250 });
    expect(parseDiscount('101', 'percent', 2)).toBeNull();
    expect(parseDiscount('1.50', 'amount', 2)).toEqual({ kind: 'amount', minor: 150 });
    expect(parseDiscount('0', 'amount', 2)).toBeNull();
  });

  it('reads a customer balance as debt or store credit', () => {
    expect(customerBalance(customer(2500))).toEqual({ kind: 'debt', minor: 2500 });
    expect(customerBalance(customer(-700))).toEqual({ kind: 'credit', minor: 700 });
    expect(customerBalance(customer(0))).toEqual({ kind: 'settled' });
  });

  it('prefills a tender with what is due, store credit capped by the credit held', () => {
    expect(suggestedTender('cash', { due_minor: 1340, customer: null })).toBe(1340);
    expect(suggestedTender('store_credit', { due_minor: 1340, customer: customer(-700) })).toBe(700);
    expect(suggestedTender('store_credit', { due_minor: 1340, customer: customer(500) })).toBe(0);
    expect(suggestedTender('card', { due_minor: -20, customer: null }), 'over-tendered: nothing due').toBe(0);
  });

  it('reads a quantity prefix typed before a scan', () => {
    expect(splitQtyPrefix('3*')).toEqual({ qtyMilli: 3000, query: '' });
    expect(splitQtyPrefix('0,5*')).toEqual({ qtyMilli: 500, query: '' });
    expect(splitQtyPrefix('2 * milk')).toEqual({ qtyMilli: 2000, query: 'milk' });
    expect(splitQtyPrefix('milk')).toEqual({ qtyMilli: null, query: 'milk' });
    expect(splitQtyPrefix('3xl'), 'x is a letter in searches').toEqual({ qtyMilli: null, query: '3xl' });
    expect(splitQtyPrefix('0*')).toEqual({ qtyMilli: null, query: '0*' });
  });
});
