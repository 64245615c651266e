// A promotion as the portal's form holds it (texts as typed, days in the shop's calendar,
// products picked) and as the API takes it (basis points, minor units, instants), both ways,
// plus how a promotion reads in a list and where it stands today. Whether the terms make sense
// (buy more than you pay, 2+ products in a bundle) is the server's rule, shown as its answer.

import { addDays, isDay } from '$lib/format/dates';
import { formatAmount, parseAmount, type MoneyFormat } from '$lib/format/money';
import type { PortalKey } from '../i18n';
import { dayOf, dayStart } from '../dates/zoned';
import type { ProductRef, PromotionInput, PromotionTerms, PromotionView } from '../api/types';

export type TermsKind = PromotionTerms['type'];
export const KINDS: readonly TermsKind[] = ['percent_off_category', 'multi_buy', 'bundle_price'];

export interface PromotionForm {
  name: string;
  kind: TermsKind;
  category: string;
  /** Percent off as typed: "15", "12,5". */
  percent: string;
  product: ProductRef | null;
  buy: string;
  pay: string;
  bundle: ProductRef[];
  bundlePrice: string;
  /** Company-wide (company admins); else the shops ticked. */
  everyShop: boolean;
  shopIds: string[];
  /** First and last day it runs, "YYYY-MM-DD" in the shop's calendar; "" = open-ended. */
  from: string;
  until: string;
}

/** A form problem: which field, and the message key saying what to do. */
export interface FormProblem {
  field: string;
  key: PortalKey;
}

export function emptyForm(everyShop: boolean, shopIds: string[]): PromotionForm {
  return { name: '', kind: 'percent_off_category', category: '', percent: '', product: null, buy: '3', pay: '2', bundle: [], bundlePrice: '', everyShop, shopIds, from: '', until: '' };
}

/** "15" or "12,5" percent as basis points (1500, 1250); null when not a percent. */
export function parsePercent(text: string): number | null {
  const bp = parseAmount(text, 2);
  return bp === null || bp <= 0 || bp > 10_000 ? null : bp;
}

function whole(text: string): number | null {
  const n = Number(text.trim());
  return Number.isInteger(n) && n > 0 ? n : null;
}

function terms(form: PromotionForm, minorDigits: number): PromotionTerms | FormProblem {
  switch (form.kind) {
    case 'percent_off_category': {
      const bp = parsePercent(form.percent);
      if (!form.category.trim()) return { field: 'category', key: 'promotions.needCategory' };
      if (bp === null) return { field: 'percent', key: 'promotions.badPercent' };
      return { type: form.kind, category: form.category.trim(), bp };
    }
    case 'multi_buy': {
      const [buy, pay] = [whole(form.buy), whole(form.pay)];
      if (!form.product) return { field: 'product', key: 'promotions.needProduct' };
      if (buy === null || pay === null) return { field: 'buy', key: 'promotions.badCount' };
      return { type: form.kind, product_id: form.product.id, buy, pay };
    }
    case 'bundle_price': {
      const price = parseAmount(form.bundlePrice, minorDigits);
      if (form.bundle.length < 2) return { field: 'bundle', key: 'promotions.needBundle' };
      if (price === null) return { field: 'bundlePrice', key: 'promotions.badPrice' };
      return { type: form.kind, product_ids: form.bundle.map((p) => p.id), price_minor: price };
    }
  }
}

/** The API's body for the form, or the first thing to fix. */
export function toInput(form: PromotionForm, minorDigits: number, timeZone: string): PromotionInput | FormProblem {
  if (!form.name.trim()) return { field: 'name', key: 'promotions.needName' };
  const built = terms(form, minorDigits);
  if ('key' in built) return built;
  if (!form.everyShop && form.shopIds.length === 0) return { field: 'shops', key: 'promotions.needShop' };
  if (form.from && form.until && form.until < form.from) return { field: 'until', key: 'promotions.badDays' };
  return {
    name: form.name.trim(),
    terms: built,
    shop_ids: form.everyShop ? [] : [...form.shopIds],
    // The last day is included: the promotion ends where the next day begins.
    starts_at: isDay(form.from) ? new Date(dayStart(form.from, timeZone)).toISOString() : null,
    ends_at: isDay(form.until) ? new Date(dayStart(addDays(form.until, 1), timeZone)).toISOString() : null,
  };
}

/** The form for an existing promotion; `products` names the ids its terms hold. */
export function fromView(view: PromotionView, products: Map<string, ProductRef | null>, format: MoneyFormat): PromotionForm {
  const timeZone = format.timeZone;
  const form = emptyForm(view.shop_ids.length === 0, view.shop_ids);
  const ref = (id: string): ProductRef => products.get(id) ?? { id, sku: '', name: id, is_weighed: false };
  const ends = dayOf(view.ends_at, timeZone);
  Object.assign(form, { name: view.name, kind: view.terms.type, from: dayOf(view.starts_at, timeZone) ?? '', until: ends ? addDays(ends, -1) : '' });
  const terms = view.terms;
  if (terms.type === 'percent_off_category') Object.assign(form, { category: terms.category, percent: String(terms.bp / 100) });
  if (terms.type === 'multi_buy') Object.assign(form, { product: ref(terms.product_id), buy: String(terms.buy), pay: String(terms.pay) });
  if (terms.type === 'bundle_price') Object.assign(form, { bundle: terms.product_ids.map(ref), bundlePrice: formatAmount(terms.price_minor, format) });
  return form;
}

/** Where a promotion stands at `nowMs`. */
export function standing(view: PromotionView, nowMs: number): 'running' | 'scheduled' | 'expired' | 'ended' {
  if (!view.active) return 'ended';
  if (view.starts_at && Date.parse(view.starts_at) > nowMs) return 'scheduled';
  if (view.ends_at && Date.parse(view.ends_at) <= nowMs) return 'expired';
  return 'running';
}

/** The product ids a promotion's terms name. */
export function productIds(terms: PromotionTerms): string[] {
  if (terms.type === 'multi_buy') return [terms.product_id];
  if (terms.type === 'bundle_price') return terms.product_ids;
  return [];
}
