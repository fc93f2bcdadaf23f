import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WebhookVerificationError, createWebhookHandler, signWebhook, verifyWebhook } from '../src/node';

const REPO_ROOT = resolve(__dirname, '../../..');
const PYTHON =
  process.env.CHATROUTES_PYTHON ||
  (existsSync(resolve(REPO_ROOT, '.venv/bin/python')) ? resolve(REPO_ROOT, '.venv/bin/python') : 'python3');

/** A signature computed by Python's hmac, independently of the SDK. */
function pythonSignature(secret: string, id: string, timestamp: number, body: string): string {
  const script = [
    'import base64, hmac, hashlib, sys',
    'secret, wid, ts, body = sys.argv[1:5]',
    'key = base64.b64decode(secret.removeprefix("whsec_"))',
    'mac = hmac.new(key, f"{wid}.{ts}.".encode() + body.encode("utf-8"), hashlib.sha256)',
    'print("v1," + base64.b64encode(mac.digest()).decode())',
  ].join('\n');
  return execFileSync(PYTHON, ['-c', script, secret, id, String(timestamp), body]).toString().trim();
}

const SECRET = 'whsec_' + Buffer.from('0123456789abcdef0123456789abcdef').toString('base64');
const BODY = JSON.stringify({ type: 'message.completed', timestamp: '2026-01-01T00:00:00.000Z', data: { text: 'héllo ✓' } });
const ID = 'msg_2Lq0ExampleDelivery';

function signed(now: number, secret = SECRET, body = BODY) {
  return {
    'webhook-id': ID,
    'webhook-timestamp': String(now),
    'webhook-signature': pythonSignature(secret, ID, now, body),
  };
}

describe('verifyWebhook', () => {
  const now = Math.floor(Date.now() / 1000);

  it('accepts a signature computed by Python and returns the event (string and bytes bodies)', () => {
    const headers = signed(now);
    expect(signWebhook(SECRET, ID, now, BODY)).toBe(headers['webhook-signature']);
    const event = verifyWebhook(BODY, headers, SECRET);
    expect(event).toEqual(JSON.parse(BODY));
    expect(verifyWebhook(new TextEncoder().encode(BODY), new Headers(headers), SECRET).type).toBe('message.completed');
  });

  it('accepts any one of several space-separated signatures', () => {
    const headers = signed(now);
    const other = pythonSignature('whsec_' + Buffer.from('another key of 32 bytes........').toString('base64'), ID, now, BODY);
    headers['webhook-signature'] = `${other} v2,ignored ${headers['webhook-signature']}`;
    expect(verifyWebhook(BODY, headers, SECRET).type).toBe('message.completed');
  });

  it('rejects a tampered body', () => {
    expect(() => verifyWebhook(BODY.replace('héllo', 'hello'), signed(now), SECRET)).toThrow(WebhookVerificationError);
  });

  it('rejects the wrong secret', () => {
    const wrong = 'whsec_' + Buffer.from('fedcba9876543210fedcba9876543210').toString('base64');
    expect(() => verifyWebhook(BODY, signed(now), wrong)).toThrow(/No matching webhook signature/);
  });

  it('rejects a timestamp outside the tolerance, either way, and honours toleranceSeconds', () => {
    const old = signed(now - 301);
    expect(() => verifyWebhook(BODY, old, SECRET)).toThrow(/tolerance/);
    expect(() => verifyWebhook(BODY, signed(now + 400), SECRET)).toThrow(WebhookVerificationError);
    expect(verifyWebhook(BODY, old, SECRET, { toleranceSeconds: 600 }).type).toBe('message.completed');
  });

  it('rejects missing headers and a replayed id with another timestamp', () => {
    const { ['webhook-signature']: _sig, ...unsigned } = signed(now);
    expect(() => verifyWebhook(BODY, unsigned, SECRET)).toThrow(/Missing/);
    const replay = { ...signed(now - 100), 'webhook-timestamp': String(now) };
    expect(() => verifyWebhook(BODY, replay, SECRET)).toThrow(WebhookVerificationError);
  });
});

describe('createWebhookHandler', () => {
  it('verifies a node:http delivery, calls onEvent, and answers 400 to a forgery', async () => {
    const events: unknown[] = [];
    const server = createServer(createWebhookHandler(SECRET, (event) => void events.push(event)));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const port = (server.address() as AddressInfo).port;
    const post = (headers: Record<string, string>, body: string) =>
      new Promise<number>((done, fail) => {
        const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/hooks', headers }, (res) => {
          res.resume();
          done(res.statusCode ?? 0);
        });
        req.on('error', fail);
        req.end(body);
      });
    try {
      const now = Math.floor(Date.now() / 1000);
      expect(await post({ 'content-type': 'application/json', ...signed(now) }, BODY)).toBe(204);
      expect(await post({ 'content-type': 'application/json', ...signed(now) }, BODY + ' ')).toBe(400);
      expect(events).toEqual([JSON.parse(BODY)]);
    } finally {
      await new Promise((done) => server.close(done));
    }
  });
});
