import { describe, expect, it } from 'vitest';
import { minorDigitsOf } from './currency';

describe('minorDigitsOf', () => {
  it('knows the minor units of ISO 4217 currencies', () => {
    expect(minorDigitsOf('EUR')).toBe(2);
    expect(minorDigitsOf('jpy')).toBe(0);
    expect(minorDigitsOf('BHD')).toBe(3);
    expect(minorDigitsOf('??'), 'unknown: two digits').toBe(2);
  });
});
