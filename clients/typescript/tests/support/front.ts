/**
 * A small HTTP front for retry tests: it answers the requests a rule picks with a canned
 * failure (a status with `Retry-After`, a dropped connection, or the server's real answer
 * swapped for a 503 after the server ran the request), and proxies everything else to
 * the live server. It records every request it saw.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';

export interface SeenRequest {
  method: string;
  path: string;
  idempotencyKey?: string;
  lastEventId?: string;
}

export type Failure =
  | { kind: 'status'; status: number; retryAfter?: string; body?: Record<string, unknown> }
  | { kind: 'drop' }
  /** Forward to the server, then answer 503 instead of its answer (a lost response). */
  | { kind: 'lose-answer' }
  /** Forward the server's event stream, but only its first `events` events, then cut the connection. */
  | { kind: 'cut-stream'; events: number };

export interface Rule {
  method: string;
  pathIncludes: string;
  /** Failures handed out in order, one per matching request; then requests pass. */
  failures: Failure[];
}

export class Front {
  readonly seen: SeenRequest[] = [];
  private rules: Rule[] = [];
  private server: Server | undefined;
  url = '';

  constructor(private readonly target: string) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req, res).catch((error) => {
        res.destroy(error as Error);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** Replace the rules (and forget what was seen). */
  fail(...rules: Rule[]): void {
    this.rules = rules.map((rule) => ({ ...rule, failures: [...rule.failures] }));
    this.seen.length = 0;
  }

  /** The requests seen that match a method and a piece of path. */
  matching(method: string, pathIncludes: string): SeenRequest[] {
    return this.seen.filter((r) => r.method === method && r.path.includes(pathIncludes));
  }

  private async handle(req: IncomingMessage, res: import('node:http').ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const key = req.headers['idempotency-key'];
    const lastEventId = req.headers['last-event-id'];
    this.seen.push({
      method,
      path,
      idempotencyKey: Array.isArray(key) ? key[0] : key,
      lastEventId: Array.isArray(lastEventId) ? lastEventId[0] : lastEventId,
    });
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = chunks.length ? Buffer.concat(chunks) : undefined;

    const rule = this.rules.find((r) => r.method === method && path.includes(r.pathIncludes));
    const failure = rule?.failures.shift();
    if (failure?.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    if (failure?.kind === 'status') {
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (failure.retryAfter !== undefined) headers['Retry-After'] = failure.retryAfter;
      const answer = failure.body ?? { success: false, error: 'UNAVAILABLE', message: `front says ${failure.status}` };
      res.writeHead(failure.status, headers).end(JSON.stringify(answer));
      return;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !['host', 'connection', 'content-length'].includes(name)) {
        headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
    }
    const upstream = await fetch(this.target + path, { method, headers, body });
    if (failure?.kind === 'lose-answer') {
      await upstream.arrayBuffer();
      res
        .writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '0' })
        .end(JSON.stringify({ success: false, error: 'UNAVAILABLE', message: 'the answer was lost' }));
      return;
    }
    if (failure?.kind === 'cut-stream') {
      const text = await upstream.text();
      const kept = text.split('\n\n').slice(0, failure.events).join('\n\n') + '\n\n';
      res.writeHead(upstream.status, { 'Content-Type': 'text/event-stream' });
      res.write(kept, () => setTimeout(() => req.socket.destroy(), 50));
      return;
    }
    const out: Record<string, string> = {};
    upstream.headers.forEach((value, name) => {
      if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(name)) out[name] = value;
    });
    res.writeHead(upstream.status, out);
    if (upstream.body) Readable.fromWeb(upstream.body as any).pipe(res);
    else res.end();
  }
}
