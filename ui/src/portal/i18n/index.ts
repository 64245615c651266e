// The portal's words: its own dictionaries (portal screens) over the shared ones (common
// words, pager), in whichever language the shared i18n state says, so switching the language
// re-renders both the portal and the shared components.

import { i18n, placeholders, t as shared, type Locale, type MessageKey } from '$lib/i18n/index.svelte';
import { de } from './de';
import { en, type PortalKey, type PortalMessages } from './en';

export type { PortalKey };
export const portalDictionaries: Record<Locale, PortalMessages> = { en, de };
export { placeholders };

function fill(text: string, params: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

function isPortalKey(key: string): key is PortalKey {
  return Object.hasOwn(en, key);
}

/** A message of the portal (or a shared one) with its `{name}` placeholders filled in. */
export function t(key: PortalKey | MessageKey, params: Record<string, string | number> = {}): string {
  if (isPortalKey(key)) return fill(portalDictionaries[i18n.locale][key], params);
  return shared(key, params);
}

/** A message for a key made at run time (`tender.${kind}`), or `fallback` when there is none. */
export function tMaybe(key: string, fallback: string, params: Record<string, string | number> = {}): string {
  return isPortalKey(key) ? t(key, params) : fallback;
}

/** Messages that change with a count: `${key}.one` and `${key}.other` (CLDR plural forms). */
type PluralBase = PortalKey extends infer K ? (K extends `${infer B}.one` ? B : never) : never;

/** The message of `key` for `count` ("1 refund", "2 refunds"), with `{count}` filled in. */
export function tn(key: PluralBase, count: number, formatted: string = String(count)): string {
  const form = new Intl.PluralRules(i18n.locale).select(count) === 'one' ? 'one' : 'other';
  return t(`${key}.${form}` as PortalKey, { count: formatted });
}
