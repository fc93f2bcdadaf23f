import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChatRoutesClient, RateLimitError, ServerError } from '../src/index';
import { Front } from './support/front';
import { stack } from './support/helpers';

describe('retries', () => {
  const front = new Front(stack.baseUrl);
  let api: ChatRoutesClient;

  beforeAll(async () => {
    await front.start();
  });
  afterAll(async () => {
    await front.stop();
  });
  beforeEach(() => {
    // A backoff this long would time the test out: a quick retry proves Retry-After was used.
    api = new ChatRoutesClient({ apiKey: stack.apiKey, baseUrl: front.url, retryDelay: 60_000 });
    front.fail();
  });

  it('retries a GET after 503 and 429, waiting the Retry-After seconds and HTTP date', async () => {
    const conversation = await api.conversations.create({ title: 'Retry GET' });
    const soon = new Date(Date.now() + 1000).toUTCString();
    front.fail({
      method: 'GET',
      pathIncludes: conversation.id,
      failures: [
        { kind: 'status', status: 503, retryAfter: '0' },
        { kind: 'status', status: 429, retryAfter: '1', body: { success: false, error: 'RATE_LIMITED', retryAfter: 1 } },
        { kind: 'status', status: 503, retryAfter: soon },
      ],
    });
    const started = Date.now();
    const fetched = await api.conversations.get(conversation.id);
    expect(fetched.id).toBe(conversation.id);
    expect(front.matching('GET', conversation.id)).toHaveLength(4);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('retries a POST with the same Idempotency-Key, and the server runs it once', async () => {
    const conversation = await api.conversations.create({ title: 'Retry POST' });
    front.fail({ method: 'POST', pathIncludes: `${conversation.id}/messages`, failures: [{ kind: 'lose-answer' }] });

    const sent = await api.messages.send(conversation.id, { content: 'only once' });
    expect(sent.message.content).toBe('Echo: only once');

    const posts = front.matching('POST', `${conversation.id}/messages`);
    expect(posts).toHaveLength(2);
    expect(posts[0]!.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(posts[1]!.idempotencyKey).toBe(posts[0]!.idempotencyKey);
    const stored = await api.messages.list(conversation.id);
    expect(stored.map((m) => m.content)).toEqual(['only once', 'Echo: only once']);
  });

  it('gives every call its own Idempotency-Key unless the caller sets one', async () => {
    await api.conversations.create({ title: 'One' });
    await api.conversations.create({ title: 'Two' }, { idempotencyKey: 'caller-key-1' });
    const keys = front.matching('POST', '/conversations').map((r) => r.idempotencyKey);
    expect(keys[0]).not.toBe(keys[1]);
    expect(keys[1]).toBe('caller-key-1');
  });

  it('retries a stream request answered 503 before it started', async () => {
    const conversation = await api.conversations.create({ title: 'Retry stream' });
    front.fail({
      method: 'POST',
      pathIncludes: 'messages/stream',
      failures: [{ kind: 'status', status: 503, retryAfter: '0' }],
    });
    const reply = await api.messages.stream(conversation.id, { content: 'after a blip' }).finalMessage();
    expect(reply.content).toBe('Echo: after a blip');
    const posts = front.matching('POST', 'messages/stream');
    expect(posts).toHaveLength(2);
    expect(posts[1]!.idempotencyKey).toBe(posts[0]!.idempotencyKey);
  });

  it('resumes a stream cut mid-reply from its Last-Event-ID, without a gap or a repeat', async () => {
    const conversation = await api.conversations.create({ title: 'Cut stream' });
    front.fail({ method: 'POST', pathIncludes: 'messages/stream', failures: [{ kind: 'cut-stream', events: 2 }] });
    const stream = api.messages.stream(conversation.id, { content: 'carry on after the cut please' });
    const contents: string[] = [];
    for await (const chunk of stream) if (chunk.type === 'content') contents.push(chunk.content ?? '');
    expect(contents.join('')).toBe('Echo: carry on after the cut please');
    expect(stream.completion?.message.content).toBe(contents.join(''));

    const resumed = front.matching('GET', `/messages/${stream.messageId}/stream`);
    expect(resumed).toHaveLength(1);
    expect(resumed[0]!.lastEventId).toMatch(new RegExp(`^${stream.messageId}:\\d+$`));
    expect(front.matching('POST', 'messages/stream')).toHaveLength(1);
  });

  it('retries a GET after a dropped connection', async () => {
    const conversation = await api.conversations.create({ title: 'Dropped' });
    api = new ChatRoutesClient({ apiKey: stack.apiKey, baseUrl: front.url, retryDelay: 10 });
    front.fail({ method: 'GET', pathIncludes: conversation.id, failures: [{ kind: 'drop' }] });
    expect((await api.conversations.get(conversation.id)).id).toBe(conversation.id);
    expect(front.matching('GET', conversation.id)).toHaveLength(2);
  });

  it('never retries a PATCH', async () => {
    const conversation = await api.conversations.create({ title: 'Patch' });
    front.fail({
      method: 'PATCH',
      pathIncludes: conversation.id,
      failures: [{ kind: 'status', status: 503, retryAfter: '0' }],
    });
    await expect(api.conversations.update(conversation.id, { title: 'New' })).rejects.toBeInstanceOf(ServerError);
    expect(front.matching('PATCH', conversation.id)).toHaveLength(1);
  });

  it('throws at once when Retry-After is longer than maxRetryAfter, and with retryAttempts 0', async () => {
    const conversation = await api.conversations.create({ title: 'Too long' });
    front.fail({
      method: 'GET',
      pathIncludes: conversation.id,
      failures: [
        { kind: 'status', status: 429, retryAfter: '120', body: { success: false, error: 'RATE_LIMITED' } },
        { kind: 'status', status: 503 },
      ],
    });
    const error = await api.conversations.get(conversation.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfter).toBe(120);

    const once = new ChatRoutesClient({ apiKey: stack.apiKey, baseUrl: front.url, retryAttempts: 0 });
    await expect(once.conversations.get(conversation.id)).rejects.toMatchObject({ name: 'ServerError', statusCode: 503 });
    expect(front.matching('GET', conversation.id)).toHaveLength(2);
  });

  it('stops retrying when the caller aborts during the wait', async () => {
    const conversation = await api.conversations.create({ title: 'Abort wait' });
    front.fail({
      method: 'GET',
      pathIncludes: conversation.id,
      failures: [{ kind: 'status', status: 503, retryAfter: '30' }],
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    await expect(api.conversations.get(conversation.id, { signal: controller.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(front.matching('GET', conversation.id)).toHaveLength(1);
  });
});
