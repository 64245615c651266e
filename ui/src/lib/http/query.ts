// Query strings for REST calls: parameters that are absent (undefined, null, '') are left out
// rather than sent empty, so "no filter" and "filter by nothing" never mean different things to
// the server; arrays repeat the key. Keys keep the order given, so URLs are stable for caches
// and tests.

export type QueryValue = string | number | boolean | null | undefined;
export type Query = Record<string, QueryValue | readonly QueryValue[]>;

/** `{ q: 'milk', limit: 51, shop_id: undefined }` -> `"q=milk&limit=51"` (no leading "?"). */
export function buildQuery(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, raw] of Object.entries(query)) {
    const values = Array.isArray(raw) ? raw : [raw];
    for (const value of values as readonly QueryValue[]) {
      if (value === undefined || value === null || value === '') continue;
      params.append(key, String(value));
    }
  }
  return params.toString();
}

/** A path with its query appended: `withQuery('/api/x', { a: 1 })` -> `"/api/x?a=1"`. */
export function withQuery(path: string, query?: Query): string {
  const text = buildQuery(query);
  if (!text) return path;
  return `${path}${path.includes('?') ? '&' : '?'}${text}`;
}
