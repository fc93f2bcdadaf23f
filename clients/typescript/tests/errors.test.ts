import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  ChatRoutesClient,
  ChatRoutesError,
  NetworkError,
  NotFoundError,
  RateLimitError,
  ServerError,
  StreamError,
  TimeoutError,
  ValidationError,
} from '../src/index';
import { client, marker, plantFault, stack } from './support/helpers';

async function caught(promise: Promise<unknown>): Promise<ChatRoutesError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ChatRoutesError);
  return error as ChatRoutesError;
}

describe('errors', () => {
  const api = client({ retryAttempts: 0 });

  it('maps 401 to AuthenticationError', async () => {
    const stranger = new ChatRoutesClient({ apiKey: 'cr_prod_sk_' + '0'.repeat(64), baseUrl: stack.baseUrl });
    const error = await caught(stranger.conversations.list());
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ name: 'AuthenticationError', statusCode: 401, code: 'AUTHENTICATION_ERROR' });
    expect(error.requestId).toBeTruthy();
  });

  it('maps 400 to ValidationError naming the field', async () => {
    const conversation = await api.conversations.create({ title: 'Bad input' });
    const error = await caught(api.messages.send(conversation.id, { content: 'hi', temperature: 9 }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ statusCode: 400, code: 'VALIDATION_ERROR', field: 'temperature' });

    const model = await caught(api.messages.send(conversation.id, { content: 'hi', model: 'no-such-model' }));
    expect(model).toBeInstanceOf(ValidationError);
    expect(model.message).toContain('gpt-5');
  });

  it('maps 404 to NotFoundError, for a missing object and another account\'s alike', async () => {
    const missing = await caught(api.conversations.get('conv_does_not_exist'));
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });

    const theirs = await client({ apiKey: stack.otherApiKey }).conversations.create({ title: 'Theirs' });
    for (const call of [
      api.conversations.get(theirs.id),
      api.branches.list(theirs.id),
      api.conversations.delete(theirs.id),
      api.usage.getConversationUsage(theirs.id),
    ]) {
      expect(await caught(call)).toBeInstanceOf(NotFoundError);
    }
  });

  it('maps 429 to RateLimitError with retryAfter', async () => {
    const limited = client({ apiKey: stack.limitedApiKey, retryAttempts: 0 });
    let error: ChatRoutesError | undefined;
    for (let i = 0; i <= 2 * stack.limitedPerMinute && !error; i++) {
      error = await limited.conversations.list().then(
        () => undefined,
        (e: ChatRoutesError) => e,
      );
    }
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ statusCode: 429, code: 'RATE_LIMIT_EXCEEDED' });
    expect((error as RateLimitError).retryAfter).toBeGreaterThan(0);
  });

  it('maps provider failures: 503 and 502 to ServerError, a provider 429 to RateLimitError', async () => {
    const cases: Array<[number, number, string]> = [
      [500, 503, 'PROVIDER_UNAVAILABLE'],
      [401, 502, 'PROVIDER_AUTH_ERROR'],
    ];
    for (const [upstream, status, code] of cases) {
      const mark = marker();
      await plantFault(mark, { fault: 'status', status: upstream });
      const conversation = await api.conversations.create({ title: `Provider ${upstream}` });
      const error = await caught(api.messages.send(conversation.id, { content: mark }));
      expect(error).toBeInstanceOf(ServerError);
      expect(error).toMatchObject({ statusCode: status, errorCode: code });
    }
    const mark = marker();
    await plantFault(mark, { fault: 'status', status: 429, retryAfter: 2 });
    const conversation = await api.conversations.create({ title: 'Provider 429' });
    const limited = await caught(api.messages.send(conversation.id, { content: mark }));
    expect(limited).toBeInstanceOf(RateLimitError);
    expect((limited as RateLimitError).retryAfter).toBe(2);
  });

  it('maps a provider failure in a stream that had not started to ServerError, one cut later to StreamError', async () => {
    const before = marker();
    await plantFault(before, { fault: 'status', status: 500 });
    const first = await api.conversations.create({ title: 'Stream fails' });
    const error = await caught(api.messages.stream(first.id, { content: before }).finalMessage());
    expect(error).toBeInstanceOf(ServerError);

    const after = marker();
    await plantFault(after, { fault: 'cut_after', chunks: 2 });
    const second = await api.conversations.create({ title: 'Stream cut' });
    const cut = await caught(api.messages.stream(second.id, { content: after }).finalMessage());
    expect(cut).toBeInstanceOf(StreamError);
  });

  it('maps an unreachable server to NetworkError and a slow one to TimeoutError', async () => {
    const nowhere = new ChatRoutesClient({ apiKey: stack.apiKey, baseUrl: 'http://127.0.0.1:9', retryAttempts: 0 });
    const network = await caught(nowhere.plans.list());
    expect(network).toBeInstanceOf(NetworkError);
    expect(network).toMatchObject({ statusCode: 0, code: 'NETWORK_ERROR' });

    const mark = marker();
    await plantFault(mark, { fault: 'delay', seconds: 3 });
    const conversation = await api.conversations.create({ title: 'Slow' });
    const impatient = client({ timeout: 300, retryAttempts: 0 });
    const timeout = await caught(impatient.messages.send(conversation.id, { content: mark }));
    expect(timeout).toBeInstanceOf(TimeoutError);
    expect(timeout).toBeInstanceOf(NetworkError);
  });
});
