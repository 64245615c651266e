// The money format a subtree formats with, so <Money> needs only an amount. An app sets it once
// at its root from whatever knows the currency (the terminal's TerminalView, the portal's shop).

import { getContext, setContext } from 'svelte';
import type { MoneyFormat } from './money';

const KEY = Symbol('money-format');

/** Used before a shop is known (first-run setup). */
export const FALLBACK_FORMAT: MoneyFormat = { currency: 'EUR', minorDigits: 2, locale: 'en', timeZone: 'UTC' };

/** Provides the format to every component below; `get` is read on each use, so it may change. */
export function provideMoneyFormat(get: () => MoneyFormat): void {
  setContext(KEY, get);
}

/** The format provided above, or the fallback. */
export function useMoneyFormat(): () => MoneyFormat {
  return getContext<(() => MoneyFormat) | undefined>(KEY) ?? (() => FALLBACK_FORMAT);
}
