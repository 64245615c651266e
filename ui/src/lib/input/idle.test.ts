import { afterEach, describe, expect, it, vi } from 'vitest';
import { watchIdle } from './idle';

afterEach(() => vi.useRealTimers());

describe('watchIdle', () => {
  it('fires once after the quiet period, and again only after new input', () => {
    vi.useFakeTimers();
    let now = 0;
    const onIdle = vi.fn();
    const stop = watchIdle(window, () => 60, onIdle, () => now);
    now = 59_000;
    vi.advanceTimersByTime(59_000);
    expect(onIdle).not.toHaveBeenCalled();
    now = 60_000;
    vi.advanceTimersByTime(1000);
    expect(onIdle).toHaveBeenCalledTimes(1);
    now = 200_000;
    vi.advanceTimersByTime(5000);
    expect(onIdle, 'locked once, not every second').toHaveBeenCalledTimes(1);
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'a' }));
    now = 260_000;
    vi.advanceTimersByTime(1000);
    expect(onIdle).toHaveBeenCalledTimes(2);
    stop();
  });

  it('never fires when the limit is 0', () => {
    vi.useFakeTimers();
    let now = 0;
    const onIdle = vi.fn();
    const stop = watchIdle(window, () => 0, onIdle, () => now);
    now = 10_000_000;
    vi.advanceTimersByTime(10_000);
    expect(onIdle).not.toHaveBeenCalled();
    stop();
  });
});
