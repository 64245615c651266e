import { afterEach, describe, expect, it, vi } from 'vitest';
import { SearchPace } from './pace';

afterEach(() => vi.useRealTimers());

/** Feeds `keys` (query after each key, ms since the last key) and says which queries ran. */
function type(pace: SearchPace, clock: { ms: number }, keys: [string, number][]): string[] {
  const searched: string[] = [];
  let pending: ReturnType<typeof setTimeout> | undefined;
  for (const [text, gap] of keys) {
    vi.advanceTimersByTime(gap);
    clock.ms += gap;
    clearTimeout(pending);
    pending = pace.schedule(text, () => searched.push(text));
  }
  vi.advanceTimersByTime(1000);
  return searched;
}

describe('SearchPace', () => {
  it("searches a person's second and later keys at once, with no debounce", () => {
    vi.useFakeTimers();
    const clock = { ms: 0 };
    const pace = new SearchPace(30, () => clock.ms);
    const searched: string[] = [];
    pace.schedule('a', () => searched.push('a'));
    vi.advanceTimersByTime(29);
    expect(searched, 'the first key waits one scanner gap').toEqual([]);
    vi.advanceTimersByTime(1);
    expect(searched).toEqual(['a']);
    clock.ms += 120;
    pace.schedule('ap', () => searched.push('ap'));
    expect(searched, 'the second key 120 ms later is searched before schedule returns').toEqual(['a', 'ap']);
  });

  it('never searches the partial codes of a scanner burst, only where it pauses', () => {
    vi.useFakeTimers();
    const clock = { ms: 0 };
    const code = '4006381333931';
    const keys: [string, number][] = [...code].map((_, i) => [code.slice(0, i + 1), i === 0 ? 500 : 4]);
    expect(type(new SearchPace(30, () => clock.ms), clock, keys)).toEqual([code]);
  });

  it('holds a rolled pair of keys (closer than a scanner gap) until the typist pauses', () => {
    vi.useFakeTimers();
    const clock = { ms: 1000 };
    const pace = new SearchPace(30, () => clock.ms);
    const searched: string[] = [];
    pace.schedule('mi', () => searched.push('mi'));
    clock.ms += 20;
    const pending = pace.schedule('mil', () => searched.push('mil'));
    expect(searched).toEqual(['mi']);
    vi.advanceTimersByTime(30);
    expect(pending).toBeDefined();
    expect(searched, 'searched once the keys paused').toEqual(['mi', 'mil']);
  });
});
