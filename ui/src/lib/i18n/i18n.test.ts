import { describe, expect, it } from 'vitest';
import { dictionaries, i18n, placeholders, t, toLocale, type Locale } from './index.svelte';

const locales = Object.keys(dictionaries) as Locale[];

describe('i18n', () => {
  it('has the same keys in every language', () => {
    const english = Object.keys(dictionaries.en).sort();
    for (const locale of locales) {
      expect(Object.keys(dictionaries[locale]).sort(), `${locale} must translate every English key`).toEqual(english);
    }
  });

  it('uses the same placeholders in every language', () => {
    for (const [key, text] of Object.entries(dictionaries.en)) {
      for (const locale of locales) {
        const other = dictionaries[locale][key as keyof typeof dictionaries.en];
        expect(placeholders(other), `${locale}.${key} placeholders`).toEqual(placeholders(text));
      }
    }
  });

  it('has no empty message', () => {
    for (const locale of locales) {
      for (const [key, text] of Object.entries(dictionaries[locale])) {
        expect(text.trim(), `${locale}.${key}`).not.toBe('');
      }
    }
  });

  it('fills placeholders and follows the locale', () => {
    i18n.locale = 'en';
    expect(t('pin.lockedBy', { name: 'Alex' })).toContain('Alex');
    const english = t('sell.pay');
    i18n.locale = 'de';
    expect(t('sell.pay')).not.toBe(english);
    i18n.locale = 'en';
  });

  it('maps locale tags', () => {
    expect(toLocale('de-AT')).toBe('de');
    expect(toLocale('en-US')).toBe('en');
    expect(toLocale(null)).toBe('en');
  });
});
