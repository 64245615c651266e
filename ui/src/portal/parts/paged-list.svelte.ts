// The state every server-paged list of the portal has: the rows of the page shown, whether
// they are loading or failed, and a retry. The newest request wins: an answer arriving after a
// later request was made is dropped (and the earlier request aborted), so typing fast in a
// search never ends on the results of an earlier word. `ListView.svelte` draws it.

import { toHttpError, type WireError } from '$lib/http/client';
import type { Page } from '../api/paging';

/** Fetches 0-based `page`; may pass `signal` on to the request so a stale one is cancelled. */
export type PageFetch<T> = (page: number, signal: AbortSignal) => Promise<Page<T>>;

/** The 0-based page of the URL's 1-based `page` parameter (anything else is the first). */
export function pageFrom(param: string | null | undefined): number {
  const n = Number(param ?? '1');
  return Number.isInteger(n) && n > 1 ? n - 1 : 0;
}

/** A whole list (the API does not page it) as its only page. */
export function onePage<T>(rows: T[]): Page<T> {
  return { items: rows, hasNext: false, page: 0 };
}

export class PagedList<T> {
  result = $state<Page<T> | null>(null);
  loading = $state(true);
  error = $state<WireError | null>(null);
  #seq = 0;
  #abort: AbortController | null = null;
  #again: (() => Promise<void>) | null = null;

  get items(): T[] {
    return this.result?.items ?? [];
  }

  /** Loaded and nothing there (not while the first answer is awaited). */
  get empty(): boolean {
    return this.result !== null && this.result.items.length === 0;
  }

  /** Shows `page` as `fetch` answers it; an older request still running is abandoned. */
  async load(page: number, fetch: PageFetch<T>): Promise<void> {
    const mine = ++this.#seq;
    this.#abort?.abort();
    const abort = new AbortController();
    this.#abort = abort;
    this.#again = () => this.load(page, fetch);
    this.loading = true;
    this.error = null;
    try {
      const answer = await fetch(page, abort.signal);
      if (mine === this.#seq) this.result = answer;
    } catch (failure) {
      if (mine === this.#seq) this.error = toHttpError(failure);
    } finally {
      if (mine === this.#seq) this.loading = false;
    }
  }

  /** Asks again for what was last asked (the error state's "Retry", or after a change). */
  readonly retry = (): void => {
    void this.#again?.();
  };
}
