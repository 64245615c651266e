import { describe, expect, it } from 'vitest';
import { applyPadKey } from './pad';

describe('applyPadKey', () => {
  it('types, deletes and clears', () => {
    expect(applyPadKey('12', '3')).toBe('123');
    expect(applyPadKey('12', 'back')).toBe('1');
    expect(applyPadKey('12', 'clear')).toBe('');
    expect(applyPadKey('12', 'enter')).toBe('12');
    expect(applyPadKey('1234', '5', 4), 'stops at the field length').toBe('1234');
  });
});
