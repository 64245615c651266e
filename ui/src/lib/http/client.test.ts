import { describe, expect, it, vi } from 'vitest';
import { createClient, HttpError } from './client';

type Handler = (url: string, init: RequestInit) => Response | Promise<Response>;

function fakeFetch(handler: Handler) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const call = { url: String(input), init: init ?? {} };
    calls.push(call);
    return handler(call.url, call.init);
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const header = (init: RequestInit | undefined, name: string) => (init?.headers as Record<string, string> | undefined)?.[name];

describe('createClient', () => {
  it('sends the bearer token, the client header and JSON', async () => {
    const { fetch, calls } = fakeFetch(() => json(200, { ok: true }));
    const api = createClient({ fetch, token: () => 'tok', refresh: async () => false, headers: { 'X-Kassa-Client': 'portal' } });
    await expect(api.post('/api/x', { a: 1 }, { query: { q: 'z' } })).resolves.toEqual({ ok: true });
    expect(calls[0]?.url).toBe('/api/x?q=z');
    expect(header(calls[0]?.init, 'authorization')).toBe('Bearer tok');
    expect(header(calls[0]?.init, 'X-Kassa-Client')).toBe('portal');
    expect(header(calls[0]?.init, 'content-type')).toBe('application/json');
    expect(calls[0]?.init.body).toBe('{"a":1}');
    expect(calls[0]?.init.credentials, 'the refresh cookie must travel').toBe('same-origin');
  });

  it('refreshes once on a 401 and retries with the new token', async () => {
    let token = 'old';
    const { fetch, calls } = fakeFetch((_url, init) =>
      header(init, 'authorization') === 'Bearer new' ? json(200, [1]) : json(401, { code: 'unauthorized', message: 'expired' }),
    );
    const refresh = vi.fn(async () => {
      token = 'new';
      return true;
    });
    const api = createClient({ fetch, token: () => token, refresh });
    await expect(api.get('/api/x')).resolves.toEqual([1]);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(calls).toHaveLength(2);
  });

  it('gives up after one refresh: a second 401 is the session ending', async () => {
    const { fetch, calls } = fakeFetch(() => json(401, { code: 'unauthorized', message: 'no' }));
    const refresh = vi.fn(async () => true);
    const api = createClient({ fetch, token: () => 't', refresh });
    await expect(api.get('/api/x')).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
    expect(refresh, 'no refresh loop').toHaveBeenCalledTimes(1);
    expect(calls).toHaveLength(2);
  });

  it('does not refresh for anonymous calls (login, refresh itself)', async () => {
    const { fetch } = fakeFetch(() => json(401, { code: 'bad_credentials', message: 'wrong' }));
    const refresh = vi.fn(async () => true);
    const api = createClient({ fetch, token: () => 't', refresh });
    await expect(api.post('/api/auth/login', {}, { anonymous: true })).rejects.toBeInstanceOf(HttpError);
    expect(refresh).not.toHaveBeenCalled();
  });

  it('keeps the server error body, field details included', async () => {
    const { fetch } = fakeFetch(() =>
      json(422, { code: 'invalid_field', message: '`line 3` bad', details: [{ field: 'line 3', reason: 'bad' }] }),
    );
    const api = createClient({ fetch, token: () => 't', refresh: async () => false });
    const error = await api.post('/api/x', 'a,b', { contentType: 'text/csv' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 422, code: 'invalid_field', details: [{ field: 'line 3', reason: 'bad' }] });
  });

  it('turns network failures and non-JSON errors into the one error shape', async () => {
    const offline = createClient({ fetch: (async () => Promise.reject(new TypeError('fetch failed'))) as typeof fetch, token: () => null, refresh: async () => false });
    await expect(offline.get('/api/x')).rejects.toMatchObject({ code: 'network', status: 0 });
    const proxy = createClient({ fetch: (async () => new Response('<html>Bad gateway</html>', { status: 502 })) as typeof fetch, token: () => null, refresh: async () => false });
    await expect(proxy.get('/api/x')).rejects.toMatchObject({ code: 'bad_response', status: 502 });
  });

  it('answers 204 with undefined and raw calls with the Response', async () => {
    const { fetch } = fakeFetch((url) => (url.endsWith('csv') ? new Response('a,b\r\n', { status: 200 }) : new Response(null, { status: 204 })));
    const api = createClient({ fetch, token: () => 't', refresh: async () => false });
    await expect(api.delete('/api/x')).resolves.toBeUndefined();
    const response = await api.request<Response>('GET', '/api/x.csv', { raw: true });
    expect(await response.text()).toBe('a,b\r\n');
  });
});
