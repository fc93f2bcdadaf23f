import { describe, expect, it } from 'vitest';
import { NotFoundError, StreamError, type StreamChunk } from '../src/index';
import { client, marker, plantFault } from './support/helpers';

describe('messages', () => {
  const api = client();

  it('sends and answers the reply with usage and model', async () => {
    const conversation = await api.conversations.create({ title: 'Send' });
    const sent = await api.messages.send(conversation.id, { content: 'hello there', temperature: 0.5 });
    expect(sent.message.role).toBe('assistant');
    expect(sent.message.content).toBe('Echo: hello there');
    expect(sent.userMessage?.content).toBe('hello there');
    expect(sent.model).toBe('gpt-5');
    expect(sent.usage.totalTokens).toBe(sent.usage.promptTokens + sent.usage.completionTokens);
    expect(sent.usage.totalTokens).toBeGreaterThan(0);
  });

  it('lists, edits and deletes messages', async () => {
    const conversation = await api.conversations.create({ title: 'Edit' });
    const sent = await api.messages.send(conversation.id, { content: 'first draft' });
    expect((await api.messages.list(conversation.id)).map((m) => m.content)).toEqual(['first draft', 'Echo: first draft']);

    const edited = await api.messages.update(sent.message.id, 'a better reply');
    expect(edited.content).toBe('a better reply');

    await api.messages.delete(edited.id);
    const after = await api.messages.list(conversation.id);
    expect(after.map((m) => m.id)).not.toContain(edited.id);
    await expect(api.messages.update(edited.id, 'again')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('streams as an async iterator, text and completion included', async () => {
    const conversation = await api.conversations.create({ title: 'Iterate' });
    const stream = api.messages.stream(conversation.id, { content: 'stream this reply please' });
    const types: string[] = [];
    for await (const chunk of stream) types.push(chunk.type);
    expect(types.at(-1)).toBe('complete');
    expect(types.filter((t) => t === 'content').length).toBeGreaterThan(1);
    expect(stream.text).toBe('Echo: stream this reply please');
    expect(stream.completion?.message.content).toBe(stream.text);
    expect(stream.completion?.usage.totalTokens).toBeGreaterThan(0);
    expect(stream.messageId).toBe(stream.completion?.message.id);
    const stored = await api.messages.list(conversation.id);
    expect(stored.at(-1)?.content).toBe(stream.text);
  });

  it('streams with the official callbacks: onChunk per event, onComplete with message, usage, model', async () => {
    const conversation = await api.conversations.create({ title: 'Callbacks' });
    const chunks: StreamChunk[] = [];
    let completed: { model: string; total: number; content: string } | undefined;
    const result = await api.messages.stream(
      conversation.id,
      { content: 'call me back', model: 'gpt-5' },
      (chunk) => chunks.push(chunk),
      (complete) => {
        completed = { model: complete.model, total: complete.usage.totalTokens, content: complete.message.content };
      },
    );
    expect(result).toBeUndefined();
    const text = chunks.filter((c) => c.type === 'content').map((c) => c.content).join('');
    expect(text).toBe('Echo: call me back');
    expect(completed).toEqual({ model: 'gpt-5', total: expect.any(Number), content: text });
  });

  it('finalMessage reads a stream to its end', async () => {
    const conversation = await api.conversations.create({ title: 'Final' });
    const reply = await api.messages.stream(conversation.id, { content: 'just the end' }).finalMessage();
    expect(reply.content).toBe('Echo: just the end');
  });

  it('aborts a stream with an AbortSignal and stops the reply on the server', async () => {
    const mark = marker();
    await plantFault(mark, { fault: 'stall_after', chunks: 2 });
    const conversation = await api.conversations.create({ title: 'Abort' });
    const controller = new AbortController();
    const stream = api.messages.stream(conversation.id, { content: `${mark} never finishes` }, { signal: controller.signal });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of stream) {
          if (chunk.type === 'content') seen.push(chunk.content ?? '');
          if (seen.length === 2) controller.abort();
        }
      })(),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toHaveLength(2);
    expect(stream.messageId).toMatch(/^msg_/);

    const stopped = await api.messages.stop(conversation.id, stream.messageId!);
    expect(stopped.message.content).toBe(seen.join(''));
  });

  it('stream.abort() ends a stream being read', async () => {
    const mark = marker();
    await plantFault(mark, { fault: 'stall_after', chunks: 1 });
    const conversation = await api.conversations.create({ title: 'Abort method' });
    const stream = api.messages.stream(conversation.id, { content: `${mark} hold on` });
    const iterator = stream[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.type).toBe('content');
    const pending = iterator.next();
    stream.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('rejects an already aborted call without sending it', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(api.conversations.create({ title: 'Never' }, { signal: controller.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });

  it('throws StreamError on an error event after the stream started', async () => {
    const mark = marker();
    await plantFault(mark, { fault: 'cut_after', chunks: 1 });
    const conversation = await api.conversations.create({ title: 'Cut' });
    const chunks: StreamChunk[] = [];
    const error = await api.messages
      .stream(conversation.id, { content: `${mark} cut me` }, (chunk) => chunks.push(chunk))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamError);
    expect((error as StreamError).errorCode).toBeTruthy();
    expect(chunks[0]?.type).toBe('content');
  });
});
