import { describe, expect, it } from 'vitest';
import { buildQuery, withQuery } from './query';

describe('buildQuery', () => {
  it('leaves out absent parameters instead of sending them empty', () => {
    expect(buildQuery({ q: 'milk', shop_id: undefined, from: null, to: '', limit: 51 })).toBe('q=milk&limit=51');
  });

  it('encodes values and repeats array keys', () => {
    expect(buildQuery({ q: 'a&b c', id: ['1', '2'] })).toBe('q=a%26b+c&id=1&id=2');
    expect(buildQuery({ active: false, offset: 0 }), 'false and 0 are values').toBe('active=false&offset=0');
  });

  it('appends to a path with or without a query', () => {
    expect(withQuery('/api/x', { a: 1 })).toBe('/api/x?a=1');
    expect(withQuery('/api/x?b=2', { a: 1 })).toBe('/api/x?b=2&a=1');
    expect(withQuery('/api/x', {})).toBe('/api/x');
  });
});
