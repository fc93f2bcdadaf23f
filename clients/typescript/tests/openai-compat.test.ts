/**
 * The official `openai` npm package as the client of the live server's OpenAI-compatible
 * surface at `/v1`: models, chat completions (plain and streamed, counted in `/api/v1/usage`),
 * Responses chains and forks over the conversation tree, their event stream, a conversation
 * shared by two responses, background runs resumed mid-stream and cancelled, and the error
 * class the package raises for each of our refusals. The mock upstream echoes the last user
 * message ("Echo: <text>"); `sentToModel` reads what the model was sent.
 */
import OpenAI from 'openai';
import type { Response as OpenAIResponse, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { describe, expect, it } from 'vitest';
import { ChatRoutesClient } from '../src/index';
import { client, marker, plantFault, stack } from './support/helpers';

const TERMINAL = ['completed', 'incomplete', 'failed', 'cancelled'];

/** The `openai` package pointed at our `/v1`, with no retries of its own. */
function openai(apiKey: string = stack.apiKey): OpenAI {
  return new OpenAI({ apiKey, baseURL: `${stack.baseUrl}/v1`, maxRetries: 0, timeout: 20_000 });
}

/** The (role, content) turns of each generation request whose body mentions `mark`, oldest first. */
async function sentToModel(mark: string): Promise<Array<Array<[string, string]>>> {
  const answer = await fetch(`${stack.controlUrl}/requests?marker=${encodeURIComponent(mark)}`);
  const { bodies } = (await answer.json()) as { bodies: Array<{ messages?: Array<{ role: string; content: string }> }> };
  return bodies.filter((body) => body.messages).map((body) => body.messages!.map((m) => [m.role, m.content]));
}

/** The text of a response's output messages (the package adds `output_text` on create and retrieve only). */
function textOf(response: OpenAIResponse): string {
  return response.output
    .flatMap((item) => (item.type === 'message' ? item.content : []))
    .map((part) => (part.type === 'output_text' ? part.text : ''))
    .join('');
}

/** An API key of a new account, so its usage is this test's alone. */
async function newAccountKey(): Promise<string> {
  const email = `oai-ts-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const anonymous = new ChatRoutesClient({ baseUrl: stack.baseUrl });
  const { tokens } = await anonymous.auth.register({ email, password: 'correct horse battery' });
  const session = new ChatRoutesClient({ baseUrl: stack.baseUrl, accessToken: tokens.accessToken });
  return (await session.apiKeys.create({ name: 'openai compat' })).key;
}

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

async function finished(oai: OpenAI, responseId: string): Promise<OpenAIResponse> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const response = await oai.responses.retrieve(responseId);
    if (TERMINAL.includes(response.status ?? '') || Date.now() > deadline) return response;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('models and chat completions', () => {
  it('lists every model with its aliases and retrieves one', async () => {
    const oai = openai();
    const models = new Map((await collect(oai.models.list())).map((model) => [model.id, model]));
    expect([...models.keys()]).toEqual(expect.arrayContaining(['gpt-5', 'claude-sonnet-4-5', 'gpt-4']));
    expect(models.get('gpt-4')).toMatchObject({ object: 'model', owned_by: 'openai' }); // an alias
    const claude = await oai.models.retrieve('claude-sonnet-4-5');
    expect(claude.owned_by).toBe('anthropic');
    expect(claude.created).toBeGreaterThan(0);
    const missing = await oai.models.retrieve('no-such-model').catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect((missing as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
  });

  it('answers a completion plainly and streamed with usage last, both counted in /api/v1/usage', async () => {
    const key = await newAccountKey();
    const oai = openai(key);
    const mark = marker();
    const completion = await oai.chat.completions.create({
      model: 'gpt-5',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: `hello ${mark}` },
      ],
      temperature: 0.2,
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]?.message.content).toBe(`Echo: hello ${mark}`);
    expect(completion.choices[0]?.finish_reason).toBe('stop');

    const chunks = await collect(
      await oai.chat.completions.create({
        model: 'gpt-5',
        messages: [{ role: 'user', content: `stream this reply ${mark}` }],
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe(`Echo: stream this reply ${mark}`);
    expect(chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.finish_reason)).filter(Boolean)).toEqual([
      'stop',
    ]);
    const last = chunks[chunks.length - 1]!;
    expect(last.choices).toEqual([]);
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage == null)).toBe(true);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    expect(await sentToModel(mark)).toEqual([
      [
        ['system', 'Be brief.'],
        ['user', `hello ${mark}`],
      ],
      [['user', `stream this reply ${mark}`]],
    ]);

    const usage = await new ChatRoutesClient({ apiKey: key, baseUrl: stack.baseUrl }).usage.get('all');
    expect(completion.usage!.total_tokens).toBeGreaterThan(0);
    expect(last.usage!.total_tokens).toBeGreaterThan(0);
    expect(usage.totals.totalTokens).toBe(completion.usage!.total_tokens + last.usage!.total_tokens);
    expect(usage.byKind).toEqual([expect.objectContaining({ kind: 'chat_completion' })]);
  });
});

describe('responses', () => {
  it('sends the model the whole path of a chain, without the previous instructions', async () => {
    const oai = openai();
    const mark = marker();
    const first = await oai.responses.create({
      model: 'gpt-5',
      input: `My name is Ada ${mark}`,
      instructions: 'Answer in one line',
    });
    expect(first.status).toBe('completed');
    expect(first.output_text).toBe(`Echo: My name is Ada ${mark}`);
    expect(first.output[0]?.id).toMatch(/^msg_/);
    expect(first.usage!.total_tokens).toBe(first.usage!.input_tokens + first.usage!.output_tokens);
    const second = await oai.responses.create({ input: 'What is my name?', previous_response_id: first.id });
    expect(second.previous_response_id).toBe(first.id);
    expect(second.conversation?.id).toBe(first.conversation?.id);
    expect(await sentToModel(mark)).toEqual([
      [
        ['system', 'Answer in one line'],
        ['user', `My name is Ada ${mark}`],
      ],
      [
        ['user', `My name is Ada ${mark}`],
        ['assistant', `Echo: My name is Ada ${mark}`],
        ['user', 'What is my name?'],
      ],
    ]);
  });

  it('forks the tree when one response is answered twice, as branches.list shows', async () => {
    const oai = openai();
    const mark = marker();
    const root = await oai.responses.create({ model: 'gpt-5', input: `Pick a colour ${mark}` });
    const red = await oai.responses.create({ input: 'Say red', previous_response_id: root.id });
    const blue = await oai.responses.create({ input: 'Say blue', previous_response_id: root.id });
    expect([red.output_text, blue.output_text]).toEqual(['Echo: Say red', 'Echo: Say blue']);
    const [, redCall, blueCall] = await sentToModel(mark);
    expect(redCall?.at(-1)).toEqual(['user', 'Say red']);
    expect(blueCall).toEqual([
      ['user', `Pick a colour ${mark}`],
      ['assistant', `Echo: Pick a colour ${mark}`],
      ['user', 'Say blue'],
    ]);
    const branches = await client().branches.list(root.conversation!.id);
    expect(branches).toHaveLength(2);
    const main = branches.find((branch) => branch.isMain)!;
    const fork = branches.find((branch) => !branch.isMain)!;
    expect(main.headMessageId).toBe(red.output[0]?.id);
    expect(fork.forkPointMessageId).toBe(root.output[0]?.id);
    expect(fork.headMessageId).toBe(blue.output[0]?.id);
  });

  it('streams the documented events in order, numbered from 0, and replays them after a number', async () => {
    const oai = openai();
    const events = await collect(
      await oai.responses.create({ model: 'gpt-5', input: 'stream these few words please', stream: true }),
    );
    const types = events.map((event) => event.type);
    expect(types.slice(0, 4)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
    ]);
    expect(types.slice(-4)).toEqual([
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(new Set(types.slice(4, -4))).toEqual(new Set(['response.output_text.delta']));
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, i) => i));
    const deltas = events.flatMap((event) => (event.type === 'response.output_text.delta' ? [event.delta] : []));
    expect(deltas.length).toBeGreaterThan(1);
    const completed = events.at(-1) as Extract<ResponseStreamEvent, { type: 'response.completed' }>;
    expect(deltas.join('')).toBe('Echo: stream these few words please');
    expect(textOf(completed.response)).toBe(deltas.join(''));
    expect(completed.response.usage!.output_tokens).toBeGreaterThan(0);

    const replayed = await collect(
      await oai.responses.retrieve(completed.response.id, { stream: true, starting_after: 3 }),
    );
    expect(replayed.map((event) => [event.sequence_number, event.type])).toEqual(
      events.slice(4).map((event) => [event.sequence_number, event.type]),
    );
  });

  it('shares one conversation between two responses', async () => {
    const oai = openai();
    const mark = marker();
    const conversation = await oai.conversations.create({
      items: [{ type: 'message', role: 'user', content: `My favourite colour is teal ${mark}` }],
      metadata: { topic: 'colours' },
    });
    expect(conversation.id).toMatch(/^conv_/);
    expect(conversation.metadata).toEqual({ topic: 'colours' });
    const one = await oai.responses.create({ model: 'gpt-5', input: 'Which colour?', conversation: conversation.id });
    const two = await oai.responses.create({ input: 'Say it again', conversation: { id: conversation.id } });
    expect(one.conversation?.id).toBe(conversation.id);
    expect(two.conversation?.id).toBe(conversation.id);
    expect((await sentToModel(mark)).at(-1)).toEqual([
      ['user', `My favourite colour is teal ${mark}`],
      ['user', 'Which colour?'],
      ['assistant', 'Echo: Which colour?'],
      ['user', 'Say it again'],
    ]);
    const items = await oai.conversations.items.list(conversation.id, { order: 'asc' });
    expect(items.data.map((item) => (item.type === 'message' ? item.role : item.type))).toEqual([
      'user',
      'user',
      'assistant',
      'user',
      'assistant',
    ]);
    expect(items.data.at(-1)?.id).toBe(two.output[0]?.id);
  });

  it('runs in the background: polled to completion, and a stream left mid-reply resumes after its last number', async () => {
    const oai = openai();
    const mark = marker();
    const words = `${mark} ${Array.from({ length: 16 }, (_, i) => `w${i}`).join(' ')}`;
    await plantFault(mark, { fault: 'slow', seconds: 0.04 });
    const started = await oai.responses.create({ model: 'gpt-5', input: words, background: true });
    expect(started.background).toBe(true);
    expect(['queued', 'in_progress']).toContain(started.status);

    const seen: ResponseStreamEvent[] = [];
    for await (const event of await oai.responses.retrieve(started.id, { stream: true })) {
      seen.push(event);
      if (event.type === 'response.output_text.delta' && seen.length >= 6) break; // the client leaves
    }
    expect((await oai.responses.retrieve(started.id)).status).toBe('in_progress');
    const last = seen.at(-1)!.sequence_number;
    const resumed = await collect(await oai.responses.retrieve(started.id, { stream: true, starting_after: last }));
    expect(resumed[0]?.sequence_number).toBe(last + 1);
    const numbers = [...seen, ...resumed].map((event) => event.sequence_number);
    expect(numbers).toEqual(numbers.map((_, i) => i));
    expect(resumed.at(-1)?.type).toBe('response.completed');
    const text = [...seen, ...resumed]
      .flatMap((event) => (event.type === 'response.output_text.delta' ? [event.delta] : []))
      .join('');
    expect(text).toBe(`Echo: ${words}`);

    const done = await finished(oai, started.id);
    expect(done.status).toBe('completed');
    expect(done.output_text).toBe(text);
    expect(done.usage!.output_tokens).toBeGreaterThan(0);
  });

  it('cancels a background response where it is, keeping the text so far as a stopped reply', async () => {
    const oai = openai();
    const mark = marker();
    const words = `${mark} ${Array.from({ length: 12 }, (_, i) => `x${i}`).join(' ')}`;
    await plantFault(mark, { fault: 'stall_after', chunks: 3 });
    const started = await oai.responses.create({ model: 'gpt-5', input: words, background: true });
    for await (const event of await oai.responses.retrieve(started.id, { stream: true })) {
      if (event.type === 'response.output_text.delta') break;
    }
    const cancelled = await oai.responses.cancel(started.id);
    expect(cancelled.status).toBe('cancelled');
    expect((await oai.responses.retrieve(started.id)).status).toBe('cancelled');
    expect((await oai.responses.cancel(started.id)).status).toBe('cancelled'); // again: as it is
    const kept = textOf(cancelled);
    const whole = `Echo: ${words}`;
    expect(kept.startsWith('Echo:')).toBe(true);
    expect(whole.startsWith(kept) && kept !== whole).toBe(true);
    const messages = await client().messages.list(cancelled.conversation!.id);
    const reply = messages.find((message) => message.role === 'assistant');
    expect(reply?.content).toBe(kept);
    expect(reply?.metadata?.finishReason).toBe('stopped');

    const quick = await oai.responses.create({ model: 'gpt-5', input: 'quick' });
    await expect(oai.responses.cancel(quick.id)).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });
});

describe('errors raise the openai package’s classes', () => {
  it('AuthenticationError for a key that is no key', async () => {
    const refused = await openai(`cr_prod_sk_${'0'.repeat(64)}`)
      .responses.create({ model: 'gpt-5', input: 'hi' })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(refused).toMatchObject({ status: 401, code: 'invalid_api_key' });
  });

  it('BadRequestError naming the param', async () => {
    const oai = openai();
    const temperature = await oai.chat.completions
      .create({ model: 'gpt-5', messages: [{ role: 'user', content: 'x' }], temperature: 3 })
      .catch((error: unknown) => error);
    expect(temperature).toBeInstanceOf(OpenAI.BadRequestError);
    expect(temperature).toMatchObject({ param: 'temperature', type: 'invalid_request_error' });
    const model = await oai.responses.create({ model: 'no-such-model', input: 'hi' }).catch((error: unknown) => error);
    expect(model).toBeInstanceOf(OpenAI.BadRequestError);
    expect(model).toMatchObject({ param: 'model' });
  });

  it('NotFoundError for another account’s response', async () => {
    const mine = await openai().responses.create({ model: 'gpt-5', input: 'mine' });
    const other = openai(stack.otherApiKey);
    await expect(other.responses.retrieve(mine.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(other.responses.create({ input: 'steal', previous_response_id: mine.id })).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );
  });

  it('RateLimitError with Retry-After once the plan’s minute is spent', async () => {
    const limited = openai(stack.limitedApiKey);
    let refused: unknown;
    for (let i = 0; i <= 2 * stack.limitedPerMinute && !refused; i++) {
      await limited.models.list().catch((error: unknown) => {
        refused = error;
      });
    }
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    expect(refused).toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
    expect(Number((refused as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('InternalServerError when the provider keeps failing', async () => {
    const mark = marker();
    await plantFault(mark, { fault: 'status', status: 500 });
    const failed = await openai()
      .chat.completions.create({ model: 'gpt-5', messages: [{ role: 'user', content: mark }] })
      .catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(OpenAI.InternalServerError);
    expect(failed).toMatchObject({ type: 'server_error' });
  });
});
