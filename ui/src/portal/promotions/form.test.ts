import { describe, expect, it } from 'vitest';
import type { PromotionView } from '../api/types';
import { emptyForm, fromView, parsePercent, standing, toInput } from './form';

const berlin = { currency: 'EUR', minorDigits: 2, locale: 'en', timeZone: 'Europe/Berlin' };
const milk = { id: 'p-milk', sku: 'MILK', name: 'Milk', is_weighed: false };
const bread = { id: 'p-bread', sku: 'BREAD', name: 'Bread', is_weighed: false };

describe('parsePercent', () => {
  it('reads percent with a comma or a point as basis points, and refuses what no till could apply', () => {
    expect(parsePercent('15')).toBe(1500);
    expect(parsePercent('12,5')).toBe(1250);
    expect(parsePercent('0.01')).toBe(1);
    for (const bad of ['0', '100.01', 'ten', '', '1.234']) expect(parsePercent(bad)).toBeNull();
  });
});

describe('toInput', () => {
  it('turns days in the shop’s calendar into instants, the last day included', () => {
    const form = { ...emptyForm(true, []), name: ' Dairy week ', category: 'Dairy', percent: '15', from: '2025-04-01', until: '2025-04-07' };
    expect(toInput(form, 2, 'Europe/Berlin')).toEqual({
      name: 'Dairy week',
      terms: { type: 'percent_off_category', category: 'Dairy', bp: 1500 },
      shop_ids: [],
      starts_at: '2025-03-31T22:00:00.000Z',
      ends_at: '2025-04-07T22:00:00.000Z',
    });
  });

  it('builds a multi-buy and a bundle from the products picked', () => {
    const multi = { ...emptyForm(false, ['s1']), name: '3 for 2', kind: 'multi_buy' as const, product: milk };
    expect(toInput(multi, 2, 'UTC')).toMatchObject({ terms: { type: 'multi_buy', product_id: 'p-milk', buy: 3, pay: 2 }, shop_ids: ['s1'], starts_at: null, ends_at: null });
    const bundle = { ...emptyForm(true, []), name: 'Breakfast', kind: 'bundle_price' as const, bundle: [milk, bread], bundlePrice: '3,50' };
    expect(toInput(bundle, 2, 'UTC')).toMatchObject({ terms: { type: 'bundle_price', product_ids: ['p-milk', 'p-bread'], price_minor: 350 } });
  });

  it('says which field to fix first', () => {
    const base = { ...emptyForm(false, []), name: 'X', category: 'Dairy', percent: '10' };
    expect(toInput({ ...base, name: ' ' }, 2, 'UTC')).toEqual({ field: 'name', key: 'promotions.needName' });
    expect(toInput({ ...base, percent: '150' }, 2, 'UTC')).toEqual({ field: 'percent', key: 'promotions.badPercent' });
    expect(toInput(base, 2, 'UTC')).toEqual({ field: 'shops', key: 'promotions.needShop' });
    expect(toInput({ ...base, shopIds: ['s1'], from: '2025-04-02', until: '2025-04-01' }, 2, 'UTC')).toEqual({ field: 'until', key: 'promotions.badDays' });
    expect(toInput({ ...base, kind: 'bundle_price', bundle: [milk], bundlePrice: '1' }, 2, 'UTC')).toEqual({ field: 'bundle', key: 'promotions.needBundle' });
  });
});

describe('fromView', () => {
  it('gives back the form a promotion was made from', () => {
    const form = { ...emptyForm(true, []), name: 'Breakfast', kind: 'bundle_price' as const, bundle: [milk, bread], bundlePrice: '3.50', from: '2025-04-01', until: '2025-04-07' };
    const input = toInput(form, 2, berlin.timeZone);
    if ('key' in input) throw new Error(input.key);
    const view: PromotionView = { id: 'x', active: true, ...input };
    expect(fromView(view, new Map([[milk.id, milk], [bread.id, bread]]), berlin)).toEqual(form);
  });
});

describe('standing', () => {
  const view = (p: Partial<PromotionView>): PromotionView => ({ id: 'x', name: 'x', terms: { type: 'percent_off_category', category: 'c', bp: 1 }, shop_ids: [], active: true, ...p });
  it('is scheduled before it starts, running, expired after its end, and ended once a manager ends it', () => {
    const now = Date.parse('2025-04-03T12:00:00Z');
    expect(standing(view({ starts_at: '2025-04-04T00:00:00Z' }), now)).toBe('scheduled');
    expect(standing(view({ starts_at: '2025-04-01T00:00:00Z', ends_at: '2025-04-05T00:00:00Z' }), now)).toBe('running');
    expect(standing(view({ ends_at: '2025-04-03T12:00:00Z' }), now)).toBe('expired');
    expect(standing(view({ active: false }), now)).toBe('ended');
  });
});
