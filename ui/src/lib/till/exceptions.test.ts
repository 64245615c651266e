import { describe, expect, it } from 'vitest';
import { dictionaries } from '$lib/i18n/index.svelte';
import { exceptionLabel } from './exceptions';

describe('exceptionLabel', () => {
  it('names the kinds the server raises in both languages', () => {
    expect(dictionaries.en[exceptionLabel('oversold')]).toBe('Sold below zero stock');
    expect(dictionaries.de[exceptionLabel('price_variance')]).toContain('Preis');
  });

  it('reads a kind it does not know as Other', () => {
    expect(exceptionLabel('something_new')).toBe('exception.other');
  });
});
