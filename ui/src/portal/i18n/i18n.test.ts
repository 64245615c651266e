import { describe, expect, it } from 'vitest';
import { i18n } from '$lib/i18n/index.svelte';
import { placeholders, portalDictionaries, t, tn } from './index';

describe('portal i18n', () => {
  it('has the same keys in German as in English', () => {
    expect(Object.keys(portalDictionaries.de).sort()).toEqual(Object.keys(portalDictionaries.en).sort());
  });

  it('uses the same placeholders in both languages, and no empty message', () => {
    for (const [key, text] of Object.entries(portalDictionaries.en)) {
      const german = portalDictionaries.de[key as keyof typeof portalDictionaries.en];
      expect(placeholders(german), `de.${key}`).toEqual(placeholders(text));
      expect(text.trim(), `en.${key}`).not.toBe('');
      expect(german.trim(), `de.${key}`).not.toBe('');
    }
  });

  it('follows the shared locale, for its own and the shared words', () => {
    i18n.locale = 'de';
    expect(t('page.products')).toBe('Artikel');
    expect(t('common.save'), 'shared dictionary').toBe('Speichern');
    expect(tn('dashboard.kpi.refundCount', 1)).toBe('1 Erstattung');
    i18n.locale = 'en';
    expect(tn('dashboard.kpi.refundCount', 2)).toBe('2 refunds');
    expect(t('products.edit', { name: 'Milk' })).toBe('Edit Milk');
  });
});
