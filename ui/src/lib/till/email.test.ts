import { describe, expect, it } from 'vitest';
import { looksLikeEmail } from './email';

describe('looksLikeEmail', () => {
  it('takes plain addresses, with spaces around trimmed', () => {
    expect(looksLikeEmail('ana@example.com')).toBe(true);
    expect(looksLikeEmail('  bo.k@shop.example.de ')).toBe(true);
  });

  it('refuses what cannot be delivered', () => {
    for (const bad of ['', 'ana', 'ana@', '@example.com', 'ana@example', 'a na@example.com', 'a@b@c.de']) {
      expect(looksLikeEmail(bad), bad).toBe(false);
    }
  });
});
