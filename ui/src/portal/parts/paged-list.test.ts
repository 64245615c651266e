import { describe, expect, it } from 'vitest';
import type { Page } from '../api/paging';
import { PagedList, onePage, pageFrom } from './paged-list.svelte';

/** A request the test answers when it wants, to make answers arrive out of order. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

const page = (items: string[], n = 0): Page<string> => ({ items, hasNext: false, page: n });

describe('PagedList', () => {
  it('shows the newest request’s answer even when an older one arrives last', async () => {
    const list = new PagedList<string>();
    const milk = deferred<Page<string>>();
    const milkshake = deferred<Page<string>>();
    let aborted = false;
    const first = list.load(0, (_, signal) => {
      signal.addEventListener('abort', () => (aborted = true));
      return milk.promise;
    });
    const second = list.load(0, () => milkshake.promise);
    milkshake.resolve(page(['Milkshake']));
    await second;
    milk.resolve(page(['Milk']));
    await first;
    expect(list.items).toEqual(['Milkshake']);
    expect(list.loading).toBe(false);
    expect(aborted).toBe(true);
  });

  it('keeps the rows on screen while the next page loads, then shows its failure and retries it', async () => {
    const list = new PagedList<string>();
    await list.load(0, async () => page(['a']));
    let calls = 0;
    const failing = list.load(1, async () => {
      calls++;
      if (calls === 1) throw { code: 'unavailable', message: 'The server did not answer.' };
      return page(['b'], 1);
    });
    expect(list.loading).toBe(true);
    expect(list.items).toEqual(['a']);
    await failing;
    expect(list.error?.message).toBe('The server did not answer.');
    list.retry();
    await Promise.resolve();
    await new Promise((done) => setTimeout(done, 0));
    expect(list.error).toBeNull();
    expect(list.result?.page).toBe(1);
    expect(list.items).toEqual(['b']);
  });

  it('is empty only once an answer with no rows has come', async () => {
    const list = new PagedList<string>();
    expect(list.empty).toBe(false);
    await list.load(0, async () => onePage([]));
    expect(list.empty).toBe(true);
  });
});

describe('pageFrom', () => {
  it('reads the URL’s 1-based page as 0-based and anything odd as the first page', () => {
    expect(pageFrom('3')).toBe(2);
    expect(pageFrom(null)).toBe(0);
    for (const odd of ['0', '-2', 'abc', '1.5', '']) expect(pageFrom(odd)).toBe(0);
  });
});
