// The portal's sign-in: the access token lives in this object only (never in storage a script
// could read later); the refresh token is an HttpOnly cookie the server sets on /api/auth,
// which no script can read at all. A reload trades the cookie for a new access token, so the
// manager stays signed in; a 401 refreshes once and retries; the token is also refreshed a
// minute before it expires. Refreshes are serialised across tabs (Web Locks): the server
// rotates the refresh token on every use and treats a token used twice as stolen, so two tabs
// refreshing at the same moment must not both send the old cookie.

import { createClient, HttpError, toHttpError, type Client } from '$lib/http/client';
import type { SessionAnswer, UserView } from './types';

/** Tells the server this is a browser session: refresh token as a cookie, not in the body. */
export const CLIENT_HEADER = { 'X-Kassa-Client': 'portal' } as const;
/** How long before expiry the token is renewed. */
export const REFRESH_AHEAD_MS = 60_000;
const LOCK = 'kassa-portal-refresh';
const CHANNEL = 'kassa-portal-session';

export type SessionStatus = 'starting' | 'signed_out' | 'signed_in';
/** Why the manager is on the sign-in page: a fresh visit, a logout, or an ended session. */
export type SignOutReason = 'none' | 'logged_out' | 'expired';

export interface SessionDeps {
  fetch?: typeof fetch;
  now?: () => number;
  /** Cross-tab lock; null where the browser has none (each tab then refreshes alone). */
  locks?: Pick<LockManager, 'request'> | null;
  /** Tells other tabs about a logout; null to not. */
  channel?: Pick<BroadcastChannel, 'postMessage' | 'addEventListener'> | null;
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
  messages?: () => { network: string; badResponse: string };
}

export class PortalSession {
  status = $state<SessionStatus>('starting');
  user = $state<UserView | null>(null);
  reason = $state<SignOutReason>('none');

  readonly api: Client;
  #token: string | null = null;
  #expiresAt = 0;
  #refreshing: Promise<boolean> | null = null;
  #timer: unknown = null;
  readonly #deps: Required<Omit<SessionDeps, 'messages'>>;

  constructor(deps: SessionDeps = {}) {
    const hasWindow = typeof window !== 'undefined';
    this.#deps = {
      fetch: deps.fetch ?? ((input, init) => fetch(input, init)),
      now: deps.now ?? (() => Date.now()),
      locks: deps.locks !== undefined ? deps.locks : hasWindow && 'locks' in navigator ? navigator.locks : null,
      channel:
        deps.channel !== undefined ? deps.channel : hasWindow && 'BroadcastChannel' in window ? new BroadcastChannel(CHANNEL) : null,
      setTimer: deps.setTimer ?? ((run, ms) => setTimeout(run, ms)),
      clearTimer: deps.clearTimer ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>)),
    };
    this.api = createClient({
      fetch: this.#deps.fetch,
      token: () => this.#token,
      refresh: () => this.refresh(),
      headers: { ...CLIENT_HEADER },
      messages: deps.messages,
    });
    this.#deps.channel?.addEventListener('message', (event) => {
      if ((event as MessageEvent).data === 'logout') this.#clear('logged_out');
    });
  }

  /** The access token for what cannot send a header (the live WebSocket's query). */
  get token(): string | null {
    return this.#token;
  }

  /** On page load: the refresh cookie, if any, signs the manager back in. */
  async restore(): Promise<void> {
    this.status = 'starting';
    if (await this.refresh()) {
      try {
        if (!this.user) this.user = await this.api.get<UserView>('/api/auth/me');
        this.status = 'signed_in';
        return;
      } catch {
        // Fall through: signed out.
      }
    }
    this.#clear(this.reason === 'expired' ? 'none' : this.reason);
  }

  /** Email and password; rejects with the server's error (wrong password, locked, ...). */
  async login(email: string, password: string): Promise<void> {
    const answer = await this.api.post<SessionAnswer>('/api/auth/login', { email, password }, { anonymous: true });
    this.#accept(answer);
    this.user = answer.user ?? (await this.api.get<UserView>('/api/auth/me'));
    this.reason = 'none';
    this.status = 'signed_in';
  }

  /** Trades the refresh cookie for a new access token; false when the session is over. */
  refresh(): Promise<boolean> {
    this.#refreshing ??= this.#refreshOnce().finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  async #refreshOnce(): Promise<boolean> {
    const call = async (): Promise<boolean> => {
      try {
        const answer = await this.api.post<SessionAnswer>('/api/auth/refresh', {}, { anonymous: true });
        this.#accept(answer);
        if (answer.user) this.user = answer.user;
        return true;
      } catch (error) {
        const failure = toHttpError(error);
        // 401/403: the cookie is missing, expired or revoked. Anything else (offline) may pass.
        if (failure.status === 401 || failure.status === 403 || failure.status === 400) {
          this.#clear(this.status === 'signed_in' ? 'expired' : 'none');
        }
        return false;
      }
    };
    const locks = this.#deps.locks;
    return locks ? ((await locks.request(LOCK, call)) as boolean) : call();
  }

  /** Ends the session here and on the server (the cookie is cleared), and in other tabs. */
  async logout(): Promise<void> {
    try {
      await this.api.post('/api/auth/logout', {}, { anonymous: true });
    } catch (error) {
      // The session ends here whatever the server said; a network error is not worth a screen.
      if (!(error instanceof HttpError)) throw error;
    } finally {
      this.#clear('logged_out');
      this.#deps.channel?.postMessage('logout');
    }
  }

  #accept(answer: SessionAnswer): void {
    this.#token = answer.access_token;
    const lifetime = Math.max(0, answer.expires_in) * 1000;
    this.#expiresAt = this.#deps.now() + lifetime;
    if (this.#timer !== null) this.#deps.clearTimer(this.#timer);
    const wait = Math.max(10_000, lifetime - REFRESH_AHEAD_MS);
    this.#timer = this.#deps.setTimer(() => {
      this.#timer = null;
      void this.refresh();
    }, wait);
  }

  /** Whether the token is past its expiry (a sleeping laptop misses the timer). */
  get stale(): boolean {
    return this.#token !== null && this.#deps.now() >= this.#expiresAt;
  }

  #clear(reason: SignOutReason): void {
    this.#token = null;
    this.#expiresAt = 0;
    if (this.#timer !== null) this.#deps.clearTimer(this.#timer);
    this.#timer = null;
    this.user = null;
    this.reason = reason;
    this.status = 'signed_out';
  }
}
