import { describe, expect, it, vi } from 'vitest';
import { PortalSession } from './session.svelte';

const user = { id: 'u1', name: 'Morgan', role: 'shop_manager', company_id: 'c1', shop_ids: ['s1'], has_pin: true, created_at: '' };
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** A server with a refresh cookie that rotates: each refresh answers a new access token. */
function server(options: { cookie?: boolean } = {}) {
  let cookie = options.cookie ?? false;
  let issued = 0;
  const seen: { path: string; headers: Record<string, string>; body: unknown }[] = [];
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const path = String(input).split('?')[0] ?? '';
    const headers = (init?.headers ?? {}) as Record<string, string>;
    seen.push({ path, headers, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    if (path === '/api/auth/login') {
      cookie = true;
      return json(200, { access_token: `a${++issued}`, expires_in: 900, token_type: 'Bearer', user });
    }
    if (path === '/api/auth/refresh') {
      if (!cookie) return json(401, { code: 'unauthorized', message: 'no session' });
      return json(200, { access_token: `a${++issued}`, expires_in: 900, token_type: 'Bearer' });
    }
    if (path === '/api/auth/logout') {
      cookie = false;
      return new Response(null, { status: 204 });
    }
    if (path === '/api/auth/me') return headers.authorization ? json(200, user) : json(401, { code: 'unauthorized', message: 'x' });
    if (path === '/api/data') {
      return headers.authorization === `Bearer a${issued}` ? json(200, { ok: true }) : json(401, { code: 'unauthorized', message: 'expired' });
    }
    return json(404, { code: 'no_route', message: 'no' });
  });
  return {
    fetch: fetch as unknown as typeof globalThis.fetch,
    seen,
    expire: () => issued++,
    dropCookie: () => (cookie = false),
  };
}

function session(fetch: typeof globalThis.fetch, timers: { run: () => void; ms: number }[] = []) {
  return new PortalSession({
    fetch,
    locks: null,
    channel: null,
    setTimer: (run, ms) => timers.push({ run, ms }),
    clearTimer: () => undefined,
  });
}

describe('PortalSession', () => {
  it('signs in with the portal header and keeps no refresh token', async () => {
    const s = server();
    const portal = session(s.fetch);
    await portal.login('manager@demo.kassa.test', 'pw');
    expect(portal.status).toBe('signed_in');
    expect(portal.user?.name).toBe('Morgan');
    expect(s.seen[0]?.headers['X-Kassa-Client']).toBe('portal');
    expect(s.seen[0]?.headers.authorization, 'login is anonymous').toBeUndefined();
    expect(JSON.stringify(portal), 'nothing token-like is enumerable on the object').not.toContain('a1');
  });

  it('restores a session from the cookie on page load', async () => {
    const s = server({ cookie: true });
    const portal = session(s.fetch);
    await portal.restore();
    expect(portal.status).toBe('signed_in');
    expect(s.seen.map((c) => c.path)).toEqual(['/api/auth/refresh', '/api/auth/me']);
    expect(s.seen[0]?.body, 'refresh sends an empty body: the token is the cookie').toEqual({});
    expect(s.seen[0]?.headers['X-Kassa-Client']).toBe('portal');
  });

  it('shows the sign-in page when there is no cookie', async () => {
    const portal = session(server().fetch);
    await portal.restore();
    expect(portal.status).toBe('signed_out');
    expect(portal.reason, 'a fresh visit is not an expired session').toBe('none');
  });

  it('refreshes once on a 401 and retries the call', async () => {
    const s = server();
    const portal = session(s.fetch);
    await portal.login('m', 'pw');
    s.expire();
    await expect(portal.api.get('/api/data')).resolves.toEqual({ ok: true });
    expect(s.seen.filter((c) => c.path === '/api/auth/refresh')).toHaveLength(1);
  });

  it('makes one refresh for many calls failing at once', async () => {
    const s = server();
    const portal = session(s.fetch);
    await portal.login('m', 'pw');
    s.expire();
    await Promise.all([portal.api.get('/api/data'), portal.api.get('/api/data'), portal.api.get('/api/data')]);
    expect(s.seen.filter((c) => c.path === '/api/auth/refresh'), 'a rotated token must not be sent twice').toHaveLength(1);
  });

  it('ends the session when the refresh is refused, saying so', async () => {
    const s = server();
    const portal = session(s.fetch);
    await portal.login('m', 'pw');
    s.expire();
    s.dropCookie();
    await expect(portal.api.get('/api/data')).rejects.toMatchObject({ status: 401 });
    expect(portal.status).toBe('signed_out');
    expect(portal.reason).toBe('expired');
    expect(portal.token).toBeNull();
  });

  it('refreshes a minute before the token expires', async () => {
    const s = server();
    const timers: { run: () => void; ms: number }[] = [];
    const portal = session(s.fetch, timers);
    await portal.login('m', 'pw');
    expect(timers.at(-1)?.ms).toBe(840_000);
    timers.at(-1)?.run();
    await vi.waitFor(() => expect(portal.token).toBe('a2'));
  });

  it('logs out on the server and here', async () => {
    const s = server();
    const portal = session(s.fetch);
    await portal.login('m', 'pw');
    await portal.logout();
    expect(portal.status).toBe('signed_out');
    expect(portal.reason).toBe('logged_out');
    expect(s.seen.at(-1)).toMatchObject({ path: '/api/auth/logout', body: {} });
    await portal.restore();
    expect(portal.status, 'the cookie is gone').toBe('signed_out');
  });

  it('serialises refreshes across tabs with a lock', async () => {
    const s = server({ cookie: true });
    const held: string[] = [];
    const locks = {
      request: vi.fn(async (name: string, run: () => Promise<unknown>) => {
        held.push(name);
        return run();
      }),
    } as unknown as Pick<LockManager, 'request'>;
    const portal = new PortalSession({ fetch: s.fetch, locks, channel: null, setTimer: () => 0, clearTimer: () => undefined });
    await portal.restore();
    expect(held).toEqual(['kassa-portal-refresh']);
  });
});
