// When search-as-you-type asks the till: at once for a person's keystrokes, never in the middle
// of a keyboard-wedge scan. A debounce (the 120 ms one this replaced) makes every key wait as
// long as the slowest typist pauses; over 100,000 products the till answers in a few ms, so
// that wait was most of the keystroke-to-results time. A scanner, though, types into the same
// search box 5-30 ms a key and ends with Enter, which takes the code back out: searching its
// partial codes is work thrown away while the scanned line is on its way to the cart. Keys
// that come closer together than a scanner's gap wait until the run pauses, and a run's first
// key waits one gap to see whether a second follows it that fast.

import { DEFAULT_WEDGE } from '$lib/input/wedge';

/** A pending search, for clearTimeout (undefined when it ran at once). */
export type PendingSearch = ReturnType<typeof setTimeout> | undefined;

export class SearchPace {
  private lastMs = Number.NEGATIVE_INFINITY;

  /**
   * @param gapMs keys closer than this are a machine typing (the wedge's average key gap)
   * @param now the clock (tests supply their own)
   */
  constructor(
    private readonly gapMs: number = DEFAULT_WEDGE.maxGapMs,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** How long to wait before searching `text`, the query after the key just typed. */
  delay(text: string): number {
    const at = this.now();
    const gap = at - this.lastMs;
    this.lastMs = at;
    return [...text].length <= 1 || gap < this.gapMs ? this.gapMs : 0;
  }

  /**
   * Runs `search` now or after the wait `delay` says; the caller clears the returned timer
   * when the query changes again, so only the last query of a burst is searched.
   */
  schedule(text: string, search: () => void): PendingSearch {
    const wait = this.delay(text);
    if (wait > 0) return setTimeout(search, wait);
    search();
    return undefined;
  }
}
