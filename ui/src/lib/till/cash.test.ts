import { describe, expect, it } from 'vitest';
import { changeDue, countedTotal, denominations, notes, quickCashAmounts, roundCash } from './cash';

describe('quickCashAmounts', () => {
  it('offers the exact amount, then the next round notes', () => {
    expect(quickCashAmounts(1340, 'EUR', 2, 1)).toEqual([1340, 1500, 2000, 5000, 10000]);
    expect(quickCashAmounts(1340, 'USD', 2, 1), 'USD has a 1-dollar note').toEqual([1340, 1400, 1500, 2000, 5000]);
  });

  it('does not repeat the exact amount when it already is a round note', () => {
    expect(quickCashAmounts(2000, 'EUR', 2, 1)).toEqual([2000, 5000, 10000, 20000, 50000]);
  });

  it('rounds the exact amount to the cash step', () => {
    expect(quickCashAmounts(1342, 'CHF', 2, 5)[0]).toBe(1340);
    expect(quickCashAmounts(1343, 'CHF', 2, 5)[0]).toBe(1345);
  });

  it('works for zero-digit and unknown currencies', () => {
    expect(quickCashAmounts(1480, 'JPY', 0, 1)).toEqual([1480, 2000, 5000, 10000]);
    expect(quickCashAmounts(1340, 'XYZ', 2, 1)).toEqual([1340, 1500, 2000, 5000, 10000]);
  });

  it('offers nothing when nothing is due', () => {
    expect(quickCashAmounts(0, 'EUR', 2, 1)).toEqual([]);
  });
});

describe('cash helpers', () => {
  it('computes change, never negative', () => {
    expect(changeDue(2000, 1340)).toBe(660);
    expect(changeDue(1000, 1340)).toBe(0);
  });

  it('rounds half away from zero', () => {
    expect(roundCash(1342, 5)).toBe(1340);
    expect(roundCash(1347, 5)).toBe(1345);
    expect(roundCash(1348, 5)).toBe(1350);
    expect(roundCash(1347, 1)).toBe(1347);
    expect(roundCash(-1348, 5)).toBe(-1350);
  });

  it('lists the drawer denominations largest first', () => {
    expect(denominations('EUR', 2)[0]).toBe(50000);
    expect(denominations('EUR', 2).at(-1)).toBe(1);
    expect(denominations('USD', 2)[0]).toBe(10000);
    expect(denominations('XYZ', 2)).toEqual([50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1]);
    expect(denominations('XYZ', 0)[0], 'generic list in major units').toBe(500);
    expect(notes('EUR', 2).at(-1)).toBe(500);
  });

  it('adds up a denomination count', () => {
    expect(countedTotal(new Map([[5000, 2], [200, 3], [1, 4]]))).toBe(10604);
  });
});
