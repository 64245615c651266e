import { describe, expect, it } from 'vitest';
import { pageQuery, toPage } from './paging';

describe('paging', () => {
  it('asks for one row more than it shows', () => {
    expect(pageQuery(0, 50)).toEqual({ limit: 51, offset: 0 });
    expect(pageQuery(2, 50)).toEqual({ limit: 51, offset: 100 });
    expect(pageQuery(0, 500), 'within the server’s 200').toEqual({ limit: 200, offset: 0 });
  });

  it('knows there is a next page when the extra row came back', () => {
    const rows = Array.from({ length: 51 }, (_v, i) => i);
    expect(toPage(rows, 0, 50)).toMatchObject({ hasNext: true, page: 0 });
    expect(toPage(rows, 0, 50).items).toHaveLength(50);
    expect(toPage(rows.slice(0, 50), 1, 50)).toMatchObject({ hasNext: false, page: 1 });
  });
});
