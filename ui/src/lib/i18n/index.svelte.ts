// The UI's words in English and German. Every visible string goes through `t`, which reads the
// current locale reactively, so switching language re-renders whatever shows text. The terminal
// starts in the shop's locale (TerminalView.locale); the cashier may switch.

import { de } from './de';
import { en, type MessageKey, type Messages } from './en';

export type { MessageKey, Messages };
export type Locale = 'en' | 'de';
export const LOCALES: readonly Locale[] = ['en', 'de'];

const dictionaries: Record<Locale, Messages> = { en, de };

let current = $state<Locale>('en');

/** The language the UI speaks now. */
export const i18n = {
  get locale(): Locale {
    return current;
  },
  set locale(locale: Locale) {
    current = locale;
  },
};

/** The UI locale for a BCP 47 tag: "de", "de-AT" -> "de"; anything else -> "en". */
export function toLocale(tag: string | null | undefined): Locale {
  return tag?.toLowerCase().startsWith('de') ? 'de' : 'en';
}

/** A message with its `{name}` placeholders filled in. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const text = dictionaries[current][key];
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

/** Placeholders a message uses, for the parity test. */
export function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '').sort();
}

export { dictionaries };
