/**
 * The webhooks resource against the live server, as the README's Webhooks section
 * describes it, and verifyWebhook on real deliveries to a receiver on 127.0.0.1.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, type WebhookDelivery } from '../src/index';
import { WebhookVerificationError, verifyWebhook } from '../src/node';
import { client, stack } from './support/helpers';

interface Received {
  body: Buffer;
  headers: IncomingHttpHeaders;
}

/** A receiver on 127.0.0.1 that keeps every request and answers 204. */
class Receiver {
  readonly received: Received[] = [];
  private server: Server | undefined;
  private waiters: Array<() => void> = [];
  url = '';

  async start(): Promise<void> {
    this.server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      this.received.push({ body: Buffer.concat(chunks), headers: req.headers });
      res.writeHead(204).end();
      for (const wake of this.waiters.splice(0)) wake();
    });
    await new Promise<void>((done) => this.server!.listen(0, '127.0.0.1', done));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((done) => this.server?.close(done));
  }

  /** The first request received whose event matches, waiting up to `ms` for it. */
  async waitFor(match: (event: any, received: Received) => boolean, ms = 15_000): Promise<Received> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.received.find((r) => match(JSON.parse(r.body.toString('utf8')), r));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching delivery within ${ms} ms; got ${this.received.length}`);
      await new Promise<void>((wake) => {
        this.waiters.push(wake);
        setTimeout(wake, 250);
      });
    }
  }
}

describe('webhooks', () => {
  const api = client();
  const receiver = new Receiver();

  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());

  it('manages a webhook and verifies real deliveries with verifyWebhook', async () => {
    const created = await api.webhooks.create({
      url: receiver.url,
      events: ['message.completed', 'branch.created'],
      description: 'ts sdk',
    });
    expect(created.id).toMatch(/^wh_/);
    expect(created.secret).toMatch(/^whsec_/);
    expect(created).toMatchObject({ enabled: true, disabledReason: null, consecutiveFailures: 0 });
    const secret = created.secret!;

    expect((await api.webhooks.list()).map((w) => w.id)).toContain(created.id);
    const fetched = await api.webhooks.get(created.id);
    expect(fetched.secret).toBeUndefined();
    expect(fetched.events).toEqual(['message.completed', 'branch.created']);

    const testDelivery = await api.webhooks.test(created.id);
    expect(testDelivery).toMatchObject({ webhookId: created.id, eventType: 'webhook.test' });
    const ping = await receiver.waitFor((event) => event.type === 'webhook.test');
    expect(ping.headers['webhook-id']).toBe(testDelivery.id);
    const pingEvent = verifyWebhook(ping.body, ping.headers, secret);
    expect(pingEvent.data).toEqual({ webhookId: created.id });

    const conversation = await api.conversations.create({ title: 'Hooked' });
    const sent = await api.messages.send(conversation.id, { content: 'tell the hook' });
    const completed = await receiver.waitFor(
      (event) => event.type === 'message.completed' && event.data.messageId === sent.message.id,
    );
    const event = verifyWebhook(completed.body.toString('utf8'), completed.headers, secret);
    expect(event.data).toMatchObject({ conversationId: conversation.id, messageId: sent.message.id });
    expect(event.timestamp).toMatch(/Z$/);
    expect(() => verifyWebhook(completed.body.toString('utf8') + ' ', completed.headers, secret)).toThrow(
      WebhookVerificationError,
    );

    const deliveries: WebhookDelivery[] = [];
    for await (const delivery of api.webhooks.listAllDeliveries(created.id, { limit: 1 })) deliveries.push(delivery);
    expect(deliveries.map((d) => d.eventType)).toEqual(expect.arrayContaining(['webhook.test', 'message.completed']));
    const page = await api.webhooks.listDeliveries(created.id, { limit: 1 });
    expect(page.deliveries).toHaveLength(1);
    expect(page.nextCursor).not.toBeNull();

    const detail = await api.webhooks.getDelivery(created.id, testDelivery.id);
    expect(detail.status).toBe('delivered');
    expect(detail.attempts?.[0]?.statusCode).toBe(204);

    const again = await api.webhooks.redeliver(created.id, testDelivery.id);
    expect(again.id).not.toBe(testDelivery.id);
    const redelivered = await receiver.waitFor((_event, r) => r.headers['webhook-id'] === again.id);
    expect(verifyWebhook(redelivered.body, redelivered.headers, secret).type).toBe('webhook.test');

    const rotated = await api.webhooks.rotateSecret(created.id);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(secret);
    const afterRotation = await api.webhooks.test(created.id);
    const signedNew = await receiver.waitFor((_event, r) => r.headers['webhook-id'] === afterRotation.id);
    expect(() => verifyWebhook(signedNew.body, signedNew.headers, secret)).toThrow(WebhookVerificationError);
    expect(verifyWebhook(signedNew.body, signedNew.headers, rotated.secret!).type).toBe('webhook.test');

    const disabled = await api.webhooks.update(created.id, { enabled: false, events: ['*'] });
    expect(disabled).toMatchObject({ enabled: false, events: ['*'] });
    await api.webhooks.delete(created.id);
    await expect(api.webhooks.get(created.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('hides another account\'s webhook and names a bad field', async () => {
    const theirs = await client({ apiKey: stack.otherApiKey }).webhooks.create({ url: receiver.url, events: ['*'] });
    await expect(api.webhooks.get(theirs.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(api.webhooks.listDeliveries(theirs.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(api.webhooks.delete(theirs.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(api.webhooks.create({ url: 'ftp://example.com/x', events: ['*'] })).rejects.toMatchObject({
      name: 'ValidationError',
      field: 'url',
    });
  });
});
