// A quick check that a typed address can be an email address at all (the server checks it
// again before sending): one @, something before it, a dotted domain after, no spaces.

export function looksLikeEmail(text: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text.trim());
}
