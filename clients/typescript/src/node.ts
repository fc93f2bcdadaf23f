/**
 * `@chatroutes/sdk/node`: server-side utilities for Node.js (>= 18), over `node:crypto`.
 *
 * - `verifyWebhook(payload, headers, secret)`: check a webhook delivery's signature
 *   (Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`) and
 *   return the parsed event, or throw `WebhookVerificationError`.
 * - `createWebhookHandler(secret, onEvent)`: a `(req, res)` handler for `node:http` and
 *   Express that reads the raw body, verifies it, and calls `onEvent`.
 */

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebhookEvent } from './types';

export type { WebhookEvent, WebhookEventType } from './types';

/** The secret's prefix; the rest is the base64 of the HMAC key. */
const SECRET_PREFIX = 'whsec_';

/** The delivery could not be trusted: missing headers, bad signature, stale timestamp. */
export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** Headers as `node:http` (`req.headers`), a fetch `Headers`, or a plain object give them. */
export type HeaderSource =
  | Headers
  | Record<string, string | string[] | undefined>
  | { get(name: string): string | null };

export interface VerifyOptions {
  /** How far (seconds) the timestamp may be from now, either way (default 300). */
  toleranceSeconds?: number;
  /** The current time in seconds since the epoch (for tests); default `Date.now() / 1000`. */
  now?: number;
}

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value[0] : value;
}

function keyOf(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = Buffer.from(encoded, 'base64');
  if (key.length === 0) throw new WebhookVerificationError('The webhook secret is empty or not base64');
  return key;
}

/** `v1,` + base64 HMAC-SHA256 of `{id}.{timestamp}.{body}` with the secret's key. */
export function signWebhook(secret: string, id: string, timestamp: number | string, payload: string | Uint8Array): string {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload);
  const mac = createHmac('sha256', keyOf(secret));
  mac.update(`${id}.${timestamp}.`);
  mac.update(body);
  return `v1,${mac.digest('base64')}`;
}

/**
 * Verify a webhook delivery and return its event.
 *
 * `payload` must be the raw body, byte for byte (not re-serialized JSON). Throws
 * `WebhookVerificationError` when a header is missing, the timestamp is further than
 * `toleranceSeconds` from now, or no `v1` signature matches (compared in constant time).
 */
export function verifyWebhook<T = Record<string, any>>(
  payload: string | Uint8Array,
  headers: HeaderSource,
  secret: string,
  options: VerifyOptions = {},
): WebhookEvent<T> {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) {
    throw new WebhookVerificationError('Missing webhook-id, webhook-timestamp or webhook-signature header');
  }
  if (!/^\d+$/.test(timestamp)) throw new WebhookVerificationError('Invalid webhook-timestamp header');
  const tolerance = options.toleranceSeconds ?? 300;
  const now = options.now ?? Date.now() / 1000;
  if (Math.abs(now - Number(timestamp)) > tolerance) {
    throw new WebhookVerificationError('The webhook timestamp is outside the tolerance');
  }
  const expected = Buffer.from(signWebhook(secret, id, timestamp, payload).slice(3), 'base64');
  const matched = signatures.split(' ').some((candidate) => {
    const [version, signature] = candidate.split(',', 2);
    if (version !== 'v1' || !signature) return false;
    const given = Buffer.from(signature, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matched) throw new WebhookVerificationError('No matching webhook signature');
  const text = typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8');
  try {
    return JSON.parse(text) as WebhookEvent<T>;
  } catch {
    throw new WebhookVerificationError('The webhook body is not JSON');
  }
}

/** What `onEvent` gets besides the event: the delivery id (the same on a redelivery's retries). */
export interface WebhookContext {
  deliveryId: string;
}

async function rawBody(req: IncomingMessage & { body?: unknown }): Promise<string | Uint8Array> {
  // Express with `express.raw()` or `express.text()` has read it already.
  if (typeof req.body === 'string' || req.body instanceof Uint8Array) return req.body;
  if (req.body !== undefined && req.readableEnded) {
    throw new WebhookVerificationError('The body was parsed before verification: mount express.raw() on this route');
  }
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/**
 * A request handler for `node:http` (`http.createServer(handler)`) or Express
 * (`app.post('/hooks', express.raw({type: '*\/*'}), handler)`): reads the raw body, verifies
 * it, answers 400 if it is not genuine, else awaits `onEvent` and answers 204 (500 if it
 * throws, so that the delivery is retried).
 */
export function createWebhookHandler(
  secret: string,
  onEvent: (event: WebhookEvent, context: WebhookContext) => unknown | Promise<unknown>,
  options: VerifyOptions = {},
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    let event: WebhookEvent;
    try {
      event = verifyWebhook(await rawBody(req), req.headers, secret, options);
    } catch (error) {
      const message = error instanceof WebhookVerificationError ? error.message : 'Unreadable body';
      res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: message }));
      return;
    }
    try {
      await onEvent(event, { deliveryId: String(req.headers['webhook-id']) });
    } catch {
      res.writeHead(500, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'Handler failed' }));
      return;
    }
    res.writeHead(204).end();
  };
}
