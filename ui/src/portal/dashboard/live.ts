// The dashboard's live feed: a WebSocket on /api/analytics/live that says when a sale or
// refund lands. Each message schedules one refetch (debounced, so a burst of sales costs one
// request); a dropped socket reconnects with backoff and refetches once it is back, since
// sales may have landed meanwhile. The URL is asked for on every connect, so a refreshed
// access token is used.

export type LiveState = 'connecting' | 'live' | 'down';

export interface LiveMessage {
  type: string;
  shop_id?: string;
  total_minor?: number;
  at?: string;
}

type SocketLike = Pick<WebSocket, 'close'> & {
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
};

export interface LiveOptions {
  /** The socket URL with a current token; null while there is none (retried later). */
  url: () => string | null;
  /** Called (debounced) when the figures may have changed. */
  onChange: () => void;
  onState?: (state: LiveState) => void;
  onMessage?: (message: LiveMessage) => void;
  debounceMs?: number;
  /** First reconnect delay; doubles up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  socket?: (url: string) => SocketLike;
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

/** Connects and keeps connected until the returned function is called. */
export function connectLive(options: LiveOptions): () => void {
  const debounceMs = options.debounceMs ?? 300;
  const base = options.backoffMs ?? 1000;
  const max = options.maxBackoffMs ?? 30_000;
  const open = options.socket ?? ((url: string) => new WebSocket(url) as SocketLike);
  const setTimer = options.setTimer ?? ((run, ms) => setTimeout(run, ms));
  const clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>));

  let socket: SocketLike | null = null;
  let stopped = false;
  let wasLive = false;
  let delay = base;
  let debounce: unknown = null;
  let retry: unknown = null;

  const changed = () => {
    if (debounce !== null) clearTimer(debounce);
    debounce = setTimer(() => {
      debounce = null;
      if (!stopped) options.onChange();
    }, debounceMs);
  };

  const scheduleRetry = () => {
    if (stopped || retry !== null) return;
    options.onState?.('down');
    retry = setTimer(() => {
      retry = null;
      connect();
    }, delay);
    delay = Math.min(max, delay * 2);
  };

  function connect(): void {
    if (stopped) return;
    const url = options.url();
    if (!url) {
      scheduleRetry();
      return;
    }
    options.onState?.('connecting');
    let current: SocketLike;
    try {
      current = open(url);
    } catch {
      scheduleRetry();
      return;
    }
    socket = current;
    current.onopen = () => {
      delay = base;
      options.onState?.('live');
      // Back after a drop: whatever landed meanwhile is only in a fresh fetch.
      if (wasLive) changed();
      wasLive = true;
    };
    current.onmessage = (event) => {
      let message: LiveMessage;
      try {
        message = JSON.parse(String(event.data)) as LiveMessage;
      } catch {
        return;
      }
      options.onMessage?.(message);
      if (message.type === 'order' || message.type === 'refund') changed();
    };
    current.onerror = () => {
      // onclose follows and reconnects.
    };
    current.onclose = () => {
      if (socket === current) socket = null;
      scheduleRetry();
    };
  }

  connect();
  return () => {
    stopped = true;
    if (debounce !== null) clearTimer(debounce);
    if (retry !== null) clearTimer(retry);
    socket?.close();
    socket = null;
  };
}
