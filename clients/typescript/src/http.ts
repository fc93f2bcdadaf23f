/**
 * Transport: one request policy (URL, headers, body, timeout, abort, retries, error mapping).
 *
 * Retries happen only where repeating cannot do harm:
 * - GET, HEAD, OPTIONS, PUT and DELETE, which are idempotent;
 * - POST, because every POST carries an `Idempotency-Key` (made once per call, sent again
 *   on each retry of that call): the server answers a repeat with the first answer instead
 *   of running it twice. A caller's own key (option `idempotencyKey`) wins.
 * PATCH is never retried. A call is retried after a network error or timeout, a 408, 429,
 * 500, 502, 503 or 504, or a 409 `IDEMPOTENCY_KEY_IN_USE` (the first attempt still runs).
 * The wait is the server's `Retry-After` (seconds or an HTTP date) when it sent one -- a
 * wait longer than `maxRetryAfter` is not waited for: the error is thrown -- else
 * `retryDelay * 2 ** attempt` less up to 25 % jitter. A caller's abort ends everything.
 */

import { ChatRoutesError, NetworkError, TimeoutError, errorFromResponse, type ErrorBody } from './errors';

export const DEFAULT_BASE_URL = 'https://api.chatroutes.com';
export const API_PREFIX = '/api/v1';
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
const KEY_IN_USE = 'IDEMPOTENCY_KEY_IN_USE';

/** Options every SDK method accepts as its last argument. */
export interface RequestOptions {
  /** Abort the call (and its retries, and a stream being read). */
  signal?: AbortSignal;
  /** Milliseconds per attempt; default: the client's `timeout`. */
  timeout?: number;
  /** Extra headers for this call. */
  headers?: Record<string, string>;
  /** The POST's `Idempotency-Key`; default: a fresh UUID per call. */
  idempotencyKey?: string;
  /** Retries after the first attempt; default: the client's `retryAttempts`. */
  retryAttempts?: number;
}

export interface TransportConfig {
  apiKey?: string;
  accessToken?: string;
  baseUrl: string;
  timeout: number;
  retryAttempts: number;
  retryDelay: number;
  maxRetryAfter: number;
  headers: Record<string, string>;
  fetch?: typeof fetch;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface Call {
  method: string;
  path: string;
  query?: Query;
  body?: unknown;
  skipAuth?: boolean;
  accept?: string;
  options?: RequestOptions;
}

/** The API root for a base URL given as the server's root or as its `/api/v1`. */
export function apiRoot(baseUrl: string): string {
  const trimmed = baseUrl.replace(/\/+$/, '');
  return trimmed.endsWith(API_PREFIX) ? trimmed : trimmed + API_PREFIX;
}

/** Seconds a `Retry-After` value asks for (a number of seconds or an HTTP date). */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value == null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, (date - now) / 1000);
}

function uuid4(): string {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  const bytes = new Uint8Array(16);
  if (c?.getRandomValues) c.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function abortError(signal: AbortSignal): unknown {
  if (signal.reason !== undefined) return signal.reason;
  const error = new Error('This operation was aborted');
  error.name = 'AbortError';
  return error;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const timer = setTimeout(done, ms);
    function done(): void {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort(): void {
      clearTimeout(timer);
      reject(abortError(signal!));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** One attempt's signal: the caller's abort and this attempt's timeout (no `AbortSignal.any`
 * on Node 18). `release` clears the timer and listener once the answer is fully read. */
function attemptSignal(user: AbortSignal | undefined, timeoutMs: number) {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = () => controller.abort(user!.reason);
  if (user?.aborted) controller.abort(user.reason);
  else user?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    /** Stop the timeout (a stream may run longer than one attempt's timeout). */
    stopTimer: () => clearTimeout(timer),
    release: () => {
      clearTimeout(timer);
      user?.removeEventListener('abort', onAbort);
    },
  };
}

async function decode(response: Response): Promise<ErrorBody> {
  const text = await response.text();
  if (!text) return {};
  try {
    const body = JSON.parse(text);
    return body && typeof body === 'object' && !Array.isArray(body) ? body : { data: body };
  } catch {
    return { error: 'Invalid JSON response', message: text.slice(0, 500) };
  }
}

/** A response still open for reading (a stream) and what releases its attempt's resources. */
export interface OpenResponse {
  response: Response;
  release: () => void;
}

export class Transport {
  readonly apiRoot: string;

  constructor(readonly config: TransportConfig) {
    this.apiRoot = apiRoot(config.baseUrl);
  }

  /** Send a call and decode its JSON body (`{}` when empty); throw the mapped error. */
  async json<T = any>(call: Call): Promise<T> {
    const { response, release } = await this.open(call);
    try {
      return (await decode(response)) as T;
    } catch (error) {
      throw this.failure(error, call, false);
    } finally {
      release();
    }
  }

  /**
   * Send a call with retries; resolve with the successful response, body unread. The
   * caller must call `release` once done with it (the timeout stops when the head
   * arrives for a stream: `accept: text/event-stream`).
   */
  async open(call: Call): Promise<OpenResponse> {
    const method = call.method.toUpperCase();
    const options = call.options ?? {};
    const headers = this.headers(call, method);
    const retryable = IDEMPOTENT.has(method) || headers['Idempotency-Key'] !== undefined;
    const attempts = Math.max(0, options.retryAttempts ?? this.config.retryAttempts);
    const url = this.apiRoot + call.path + queryString(call.query);
    const body = call.body === undefined || method === 'GET' ? undefined : JSON.stringify(call.body);
    const fetchImpl = this.config.fetch ?? globalThis.fetch;
    const streaming = call.accept === 'text/event-stream';
    for (let attempt = 0; ; attempt++) {
      const attemptCtl = attemptSignal(options.signal, options.timeout ?? this.config.timeout);
      let response: Response;
      try {
        response = await fetchImpl(url, { method, headers, body, signal: attemptCtl.signal });
      } catch (error) {
        attemptCtl.release();
        const failure = this.failure(error, call, attemptCtl.timedOut());
        if (options.signal?.aborted || !retryable || attempt >= attempts) throw failure;
        await sleep(this.backoff(attempt), options.signal);
        continue;
      }
      if (response.ok) {
        if (streaming) attemptCtl.stopTimer();
        return { response, release: attemptCtl.release };
      }
      let errorBody: ErrorBody;
      try {
        errorBody = await decode(response);
      } catch (error) {
        attemptCtl.release();
        throw this.failure(error, call, attemptCtl.timedOut());
      }
      attemptCtl.release();
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
      const error = errorFromResponse(
        response.status,
        errorBody,
        retryAfter,
        response.headers.get('x-request-id') ?? undefined,
      );
      const wait = this.retryWait(response.status, errorBody, retryAfter, attempt);
      if (!retryable || attempt >= attempts || wait === undefined) throw error;
      await sleep(wait, options.signal);
    }
  }

  private headers(call: Call, method: string): Record<string, string> {
    const headers: Record<string, string> = {
      Accept: call.accept ?? 'application/json',
      ...this.config.headers,
      ...(call.options?.headers ?? {}),
    };
    if (call.body !== undefined && method !== 'GET') headers['Content-Type'] = 'application/json';
    if (!call.skipAuth && this.config.apiKey) headers['Authorization'] = `ApiKey ${this.config.apiKey}`;
    else if (!call.skipAuth && this.config.accessToken) headers['Authorization'] = `Bearer ${this.config.accessToken}`;
    if (method === 'POST') {
      const given = Object.keys(headers).find((name) => name.toLowerCase() === 'idempotency-key');
      const key = call.options?.idempotencyKey ?? (given ? headers[given] : undefined) ?? uuid4();
      if (given) delete headers[given];
      headers['Idempotency-Key'] = key;
    }
    return headers;
  }

  private backoff(attempt: number): number {
    return this.config.retryDelay * 2 ** attempt * (1 - 0.25 * Math.random());
  }

  /** Milliseconds to wait before retrying an error answer, or undefined: it is final. */
  private retryWait(status: number, body: ErrorBody, retryAfter: number | undefined, attempt: number) {
    const inUse = status === 409 && body.error === KEY_IN_USE;
    if (!RETRY_STATUSES.has(status) && !inUse) return undefined;
    if (retryAfter === undefined) return this.backoff(attempt);
    if (retryAfter > this.config.maxRetryAfter) return undefined;
    return retryAfter * 1000;
  }

  /** A fetch or read failure as the SDK's error (the caller's abort passes through). */
  failure(error: unknown, call: Call, timedOut: boolean): unknown {
    if (call.options?.signal?.aborted) return abortError(call.options.signal);
    if (error instanceof ChatRoutesError) return error;
    const detail = { error: error instanceof Error ? error.message : String(error) };
    if (timedOut) {
      return new TimeoutError(`${call.method} ${call.path} timed out`, detail);
    }
    return new NetworkError(`${call.method} ${call.path} failed: ${detail.error}`, detail);
  }
}
