// The API's lists take `limit` (at most 200) and `offset` and answer a plain array without a
// total. A page asks for one row more than it shows: if that row came back, there is a next page.

/** Rows the server returns at most per request. */
export const MAX_LIMIT = 200;

export interface Page<T> {
  items: T[];
  hasNext: boolean;
  page: number;
}

/** The `limit` and `offset` of 0-based `page` of `size` rows, asking for one row more. */
export function pageQuery(page: number, size: number): { limit: number; offset: number } {
  const rows = Math.min(Math.max(1, size), MAX_LIMIT - 1);
  return { limit: rows + 1, offset: Math.max(0, page) * rows };
}

/** What the server answered, cut to the page and whether there is more. */
export function toPage<T>(rows: readonly T[], page: number, size: number): Page<T> {
  const shown = Math.min(Math.max(1, size), MAX_LIMIT - 1);
  return { items: rows.slice(0, shown), hasNext: rows.length > shown, page };
}
