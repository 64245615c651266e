import { describe, expect, it } from 'vitest';
import { connectLive, type LiveState } from './live';

/** Timers run by hand, and sockets the test opens, feeds and closes. */
function harness() {
  let now = 0;
  let timers: { at: number; run: () => void; id: number }[] = [];
  let nextId = 1;
  const sockets: FakeSocket[] = [];
  class FakeSocket {
    onopen: ((e: Event) => void) | null = null;
    onmessage: ((e: MessageEvent) => void) | null = null;
    onclose: ((e: CloseEvent) => void) | null = null;
    onerror: ((e: Event) => void) | null = null;
    closed = false;
    constructor(readonly url: string) {
      sockets.push(this);
    }
    open() {
      this.onopen?.(new Event('open'));
    }
    send(data: unknown) {
      this.onmessage?.({ data: JSON.stringify(data) } as MessageEvent);
    }
    close() {
      this.closed = true;
    }
    drop() {
      this.onclose?.({} as CloseEvent);
    }
  }
  return {
    sockets,
    setTimer: (run: () => void, ms: number) => {
      const id = nextId++;
      timers.push({ at: now + ms, run, id });
      return id;
    },
    clearTimer: (id: unknown) => {
      timers = timers.filter((timer) => timer.id !== id);
    },
    advance(ms: number) {
      now += ms;
      for (;;) {
        const due = timers.filter((timer) => timer.at <= now).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter((timer) => timer !== due);
        due.run();
      }
    },
    socket: (url: string) => new FakeSocket(url),
  };
}

describe('connectLive', () => {
  it('refetches once for a burst of sales, after the debounce', () => {
    const h = harness();
    let changes = 0;
    const states: LiveState[] = [];
    const stop = connectLive({ url: () => 'ws://x/live?access_token=a', onChange: () => changes++, onState: (s) => states.push(s), ...h });
    h.sockets[0]?.open();
    expect(states).toEqual(['connecting', 'live']);
    h.sockets[0]?.send({ type: 'order', shop_id: 's1', total_minor: 100, at: '' });
    h.advance(100);
    h.sockets[0]?.send({ type: 'order', shop_id: 's1', total_minor: 200, at: '' });
    h.sockets[0]?.send({ type: 'ping' });
    h.advance(299);
    expect(changes, 'still within the debounce').toBe(0);
    h.advance(1);
    expect(changes).toBe(1);
    stop();
    expect(h.sockets[0]?.closed).toBe(true);
  });

  it('reconnects with backoff and a fresh URL, and refetches once back', () => {
    const h = harness();
    let changes = 0;
    let token = 'a';
    connectLive({ url: () => `ws://x/live?access_token=${token}`, onChange: () => changes++, ...h });
    h.sockets[0]?.open();
    token = 'b';
    h.sockets[0]?.drop();
    h.advance(999);
    expect(h.sockets).toHaveLength(1);
    h.advance(1);
    expect(h.sockets[1]?.url).toContain('access_token=b');
    h.sockets[1]?.drop();
    h.advance(1999);
    expect(h.sockets, 'the delay doubles').toHaveLength(2);
    h.advance(1);
    h.sockets[2]?.open();
    h.advance(300);
    expect(changes, 'sales may have landed while it was down').toBe(1);
  });

  it('ignores messages that are not JSON and stops cleanly', () => {
    const h = harness();
    let changes = 0;
    const stop = connectLive({ url: () => 'ws://x', onChange: () => changes++, ...h });
    h.sockets[0]?.open();
    h.sockets[0]?.onmessage?.({ data: 'not json' } as MessageEvent);
    h.sockets[0]?.send({ type: 'order' });
    stop();
    h.advance(1000);
    expect(changes, 'no refetch after stop').toBe(0);
  });
});
