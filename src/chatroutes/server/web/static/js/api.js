// The REST + SSE client: Bearer tokens, one refresh on 401, waits out 429 on reads.

const BASE = '/api/v1';
const STORE_KEY = 'chatroutes.session';
const MAX_RATE_WAIT_S = 65;

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.error || 'HTTP_ERROR';
    this.details = body?.details || {};
  }
}

/** The signed-in session: tokens and user, kept in localStorage across reloads. */
export const auth = {
  state: JSON.parse(localStorage.getItem(STORE_KEY) || 'null'),
  listeners: new Set(),
  get user() { return this.state?.user || null; },
  get signedIn() { return Boolean(this.state?.tokens?.accessToken); },
  set(state) {
    this.state = state;
    if (state) localStorage.setItem(STORE_KEY, JSON.stringify(state));
    else localStorage.removeItem(STORE_KEY);
    this.listeners.forEach((fn) => fn(state));
  },
  update(patch) { this.set({ ...this.state, ...patch }); },
  onChange(fn) { this.listeners.add(fn); },
};

/** Called while a read waits out a rate limit (the app shows it). */
export const notices = { rateLimited: (_seconds) => {} };

function headers(extra = {}) {
  const out = { Accept: 'application/json', ...extra };
  const token = auth.state?.tokens?.accessToken;
  if (token) out.Authorization = `Bearer ${token}`;
  return out;
}

let refreshing = null;
async function refreshTokens() {
  const refreshToken = auth.state?.tokens?.refreshToken;
  if (!refreshToken) return false;
  refreshing ??= fetch(`${BASE}/auth/refresh`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ refreshToken }),
  }).then(async (res) => {
    if (!res.ok) return false;
    const { data } = await res.json();
    auth.update({ tokens: data.tokens, user: data.user });
    return true;
  }).finally(() => { refreshing = null; });
  return refreshing;
}

async function send(path, { method = 'GET', body, signal, extraHeaders } = {}) {
  const init = { method, signal, headers: headers(extraHeaders) };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  return fetch(BASE + path, init);
}

async function errorOf(res) {
  return new ApiError(res.status, await res.json().catch(() => null));
}

/**
 * A response that is not a refusal of the token or, for reads, of the rate (unless
 * `waitOnRateLimit` is false: a read that can be skipped, such as a preview).
 */
async function settled(path, options) {
  let res = await send(path, options);
  if (res.status === 401 && auth.state?.tokens && !path.startsWith('/auth/')) {
    if (await refreshTokens()) res = await send(path, options);
    else auth.set(null);
  }
  const method = options.method || 'GET';
  const wait429 = method === 'GET' && options.waitOnRateLimit !== false;
  for (let tries = 0; res.status === 429 && wait429 && tries < 2; tries++) {
    const wait = Math.min(Number(res.headers.get('Retry-After')) || 5, MAX_RATE_WAIT_S);
    notices.rateLimited(wait);
    await new Promise((r) => setTimeout(r, wait * 1000));
    res = await send(path, options);
  }
  return res;
}

/** JSON call; returns the envelope's `data`, throws ApiError on failure. */
export async function api(path, options = {}) {
  const res = await settled(path, options);
  if (!res.ok) throw await errorOf(res);
  const json = await res.json();
  return json.data ?? {};
}

/**
 * An SSE response (POST body or GET), parsed: onEvent({id, data}) per event until [DONE].
 * Resolves when the stream ends; an aborted signal rejects with AbortError.
 */
export async function stream(path, { body, method = body ? 'POST' : 'GET', signal, onEvent }) {
  const res = await settled(path, {
    method, body, signal, extraHeaders: { Accept: 'text/event-stream' },
  });
  if (!res.ok) throw await errorOf(res);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let cut;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const event = { id: null, data: '' };
      for (const line of frame.split('\n')) {
        if (line.startsWith('id:')) event.id = line.slice(3).trim();
        else if (line.startsWith('data:')) event.data += line.slice(5).trim();
      }
      if (!event.data) continue; // a heartbeat comment
      if (event.data === '[DONE]') return;
      onEvent({ id: event.id, data: JSON.parse(event.data) });
    }
  }
}
