// A JSON client for the Kassa REST API, shared by the web front ends. Every failure rejects
// with an HttpError carrying the server's wire error ({code, message, details}) or one made
// here for network and parse failures, so pages have one error shape to show. A 401 on an
// authenticated call asks the session to refresh its access token once and retries; a second
// 401 is final (the session is over).

import { withQuery, type Query } from './query';

/** A field that failed validation, as the server names it (`line 3` for a CSV row). */
export interface FieldError {
  field: string;
  reason: string;
}

/** The server's error body. */
export interface WireError {
  code: string;
  message: string;
  details?: FieldError[];
}

/** Codes made on this side of the wire. */
export const CLIENT_CODES = {
  /** The request never got an answer (offline, server down, CORS). */
  network: 'network',
  /** The answer was not what the API documents (not JSON, no error body). */
  badResponse: 'bad_response',
  /** The caller cancelled the request (AbortSignal). */
  aborted: 'aborted',
} as const;

/** A rejected API call. */
export class HttpError extends Error implements WireError {
  readonly code: string;
  readonly status: number;
  readonly details?: FieldError[];

  constructor(status: number, error: WireError) {
    super(error.message);
    this.name = 'HttpError';
    this.status = status;
    this.code = error.code;
    if (error.details) this.details = error.details;
  }
}

function isWireError(value: unknown): value is WireError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

/** Turns whatever a rejected call carries into an HttpError. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof DOMException && error.name === 'AbortError') {
    return new HttpError(0, { code: CLIENT_CODES.aborted, message: 'The request was cancelled.' });
  }
  if (isWireError(error)) return new HttpError(0, error);
  const message = error instanceof Error ? error.message : String(error);
  return new HttpError(0, { code: CLIENT_CODES.network, message });
}

export interface RequestOptions {
  query?: Query;
  /** Sent as JSON unless it is a string or Blob (then as is, with `contentType`). */
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Resolve with the Response itself (downloads) instead of parsed JSON. */
  raw?: boolean;
  /** No bearer token and no refresh on 401 (login, refresh). */
  anonymous?: boolean;
}

export interface ClientOptions {
  /** Prefix of every path, e.g. "" (same origin) or "https://kassa.example". */
  base?: string;
  fetch?: typeof fetch;
  /** The current access token, or null when signed out. */
  token: () => string | null;
  /** Gets a new access token; resolves false when the session is over. Called once per 401. */
  refresh: () => Promise<boolean>;
  /** Headers sent with every request (e.g. which client this is). */
  headers?: Record<string, string>;
  /** Messages for the errors made here, in the UI's language. */
  messages?: () => { network: string; badResponse: string };
}

export interface Client {
  request<T>(method: string, path: string, options?: RequestOptions): Promise<T>;
  get<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T>;
  post<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T>;
  put<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T>;
  patch<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T>;
  delete<T = void>(path: string, options?: RequestOptions): Promise<T>;
}

const DEFAULT_MESSAGES = {
  network: 'The server did not answer. Check the connection and try again.',
  badResponse: 'The server answered with something unexpected. Try again.',
};

export function createClient(options: ClientOptions): Client {
  const base = options.base ?? '';
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const messages = options.messages ?? (() => DEFAULT_MESSAGES);

  function init(method: string, request: RequestOptions): RequestInit {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers, ...request.headers };
    let body: BodyInit | undefined;
    if (request.body !== undefined) {
      if (typeof request.body === 'string' || request.body instanceof Blob) {
        body = request.body;
        headers['content-type'] = request.contentType ?? 'text/plain';
      } else {
        body = JSON.stringify(request.body);
        headers['content-type'] = 'application/json';
      }
    }
    const token = request.anonymous ? null : options.token();
    if (token) headers.authorization = `Bearer ${token}`;
    return { method, headers, body, signal: request.signal, credentials: 'same-origin' };
  }

  async function send(method: string, path: string, request: RequestOptions): Promise<Response> {
    try {
      return await doFetch(base + withQuery(path, request.query), init(method, request));
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') throw toHttpError(error);
      throw new HttpError(0, { code: CLIENT_CODES.network, message: messages().network });
    }
  }

  async function failure(response: Response): Promise<HttpError> {
    let body: unknown = null;
    try {
      body = await response.json();
    } catch {
      // Not JSON (a proxy's HTML page): fall through to the generic message.
    }
    if (isWireError(body)) return new HttpError(response.status, body);
    return new HttpError(response.status, {
      code: CLIENT_CODES.badResponse,
      message: `${messages().badResponse} (HTTP ${response.status})`,
    });
  }

  async function request<T>(method: string, path: string, request: RequestOptions = {}): Promise<T> {
    let response = await send(method, path, request);
    if (response.status === 401 && !request.anonymous && (await options.refresh())) {
      response = await send(method, path, request);
    }
    if (!response.ok) throw await failure(response);
    if (request.raw) return response as T;
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new HttpError(response.status, { code: CLIENT_CODES.badResponse, message: messages().badResponse });
    }
  }

  return {
    request,
    get: (path, query, signal) => request('GET', path, { query, signal }),
    post: (path, body, opts) => request('POST', path, { ...opts, body }),
    put: (path, body, opts) => request('PUT', path, { ...opts, body }),
    patch: (path, body, opts) => request('PATCH', path, { ...opts, body }),
    delete: (path, opts) => request('DELETE', path, opts ?? {}),
  };
}
