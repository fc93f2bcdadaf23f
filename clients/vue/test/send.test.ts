import { beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError, type ChatRoutesClient } from '@chatroutes/sdk';
import { useMessages, useSendMessage, useTree, useUsage } from '../src/index';
import { eventually, withSetup } from './mount';
import {
  client,
  conversationWithReply,
  expectStoppedAsStored,
  marker,
  newAccountKey,
  plantFault,
  recordingFetch,
  stack,
} from '../../typescript/tests/support/bindings-support';

describe('useSendMessage', () => {
  let apiKey: string;
  let api: ChatRoutesClient;
  beforeEach(async () => {
    apiKey = await newAccountKey();
    api = client(apiKey);
  });

  it('streams the reply and ends with the stored message, its usage and model', async () => {
    const conversation = await api.conversations.create({ title: 'Send', model: 'gpt-5' });
    const { result, wrapper } = withSetup(() => useSendMessage(conversation.id), api);
    expect(result.status.value).toBe('idle');

    const pending = result.send('tell me about trees');
    expect(result.status.value).toBe('streaming');
    expect(result.isStreaming.value).toBe(true);
    const sent = await pending;

    expect(result.status.value).toBe('complete');
    expect(result.message.value?.content).toBe('Echo: tell me about trees');
    expect(result.text.value).toBe('Echo: tell me about trees');
    expect(result.message.value?.id).toBe(sent?.id);
    expect(result.usage.value?.totalTokens).toBeGreaterThan(0);
    expect(result.model.value).toBe('gpt-5');
    expect(result.error.value).toBeUndefined();
    wrapper.unmount();
  });

  it('shows the partial text while the reply streams, and stop() ends it with the text so far stored', async () => {
    const conversation = await api.conversations.create({ title: 'Stop', model: 'gpt-5' });
    const word = marker();
    const whole = `Echo: ${word} and then a long story follows`;
    await plantFault(word, { fault: 'stall_after', chunks: 2 });
    const { result, wrapper } = withSetup(() => useSendMessage(conversation.id), api);

    const pending = result.send(`${word} and then a long story follows`);
    await eventually(() => expect(result.text.value).not.toBe(''));
    expect(result.status.value).toBe('streaming');
    expect(result.message.value).toBeUndefined();
    const partial = result.text.value;
    expect(whole.startsWith(partial)).toBe(true);
    expect(partial.length).toBeLessThan(whole.length);

    await result.stop();
    await expect(pending).resolves.toBeUndefined();
    expect(result.status.value).toBe('stopped');
    // What was shown before the stop, and what arrived since, is what the server kept.
    const kept = await expectStoppedAsStored(api, conversation.id, result.message.value, whole, partial);
    expect(result.text.value).toBe(kept);
    wrapper.unmount();
  });

  it('stop() before the first words waits for them, then stops the reply on the server', async () => {
    const conversation = await api.conversations.create({ title: 'Early stop', model: 'gpt-5' });
    const word = marker();
    const whole = `Echo: ${word} is slow to start`;
    await plantFault(word, { fault: 'stall_after', chunks: 2 });
    const recorder = recordingFetch((call) => call.url.endsWith('/messages/stream'));
    const watched = client(apiKey, { fetch: recorder.fetch });
    const { result, wrapper } = withSetup(() => useSendMessage(conversation.id), watched);

    const pending = result.send(`${word} is slow to start`);
    await eventually(() => expect(recorder.calls).toHaveLength(1)); // the send, held back
    const stopped = result.stop();
    expect(result.status.value).toBe('stopped');

    recorder.release();
    await stopped;
    await expect(pending).resolves.toBeUndefined();
    await expectStoppedAsStored(api, conversation.id, result.message.value, whole);
    wrapper.unmount();
  });

  it('refreshes the messages, tree and usage of its conversation once the reply is stored', async () => {
    const { conversation } = await conversationWithReply(api, 'first');
    const { result, wrapper } = withSetup(
      () => ({
        messages: useMessages(conversation.id),
        tree: useTree(conversation.id),
        usage: useUsage(conversation.id),
        sender: useSendMessage(conversation.id),
      }),
      api,
    );
    await eventually(() => {
      expect(result.messages.data.value).toHaveLength(2);
      expect(result.tree.status.value).toBe('success');
      expect(result.usage.status.value).toBe('success');
    });
    const nodesBefore = result.tree.data.value!.metadata!.totalNodes;
    const tokensBefore = result.usage.data.value!.totals.totalTokens;

    await result.sender.send('second');

    await eventually(() => {
      expect(result.messages.data.value?.map((m) => m.content)).toEqual([
        'first',
        'Echo: first',
        'second',
        'Echo: second',
      ]);
      expect(result.tree.data.value!.metadata!.totalNodes).toBe(nodesBefore + 2);
      expect(result.usage.data.value!.totals.totalTokens).toBeGreaterThan(tokensBefore);
    });
    wrapper.unmount();
  });

  it('sends on the branch it was given', async () => {
    const { conversation, reply } = await conversationWithReply(api, 'trunk');
    const side = await api.branches.create(conversation.id, { title: 'Side', baseNodeId: reply.id });
    const { result, wrapper } = withSetup(
      () => ({
        side: useMessages(conversation.id, { branchId: side.id }),
        sender: useSendMessage(conversation.id, { branchId: side.id }),
      }),
      api,
    );
    await result.sender.send('on the side');
    expect(result.sender.message.value?.branchId).toBe(side.id);
    await eventually(() =>
      expect(result.side.data.value?.map((m) => m.content)).toContain('Echo: on the side'),
    );
    const main = await api.messages.list(conversation.id);
    expect(main.map((m) => m.content)).not.toContain('on the side');
    wrapper.unmount();
  });

  it("surfaces a 404 for another account's conversation as the error", async () => {
    const { conversation } = await conversationWithReply(api);
    const stranger = client(stack.otherApiKey);
    const { result, wrapper } = withSetup(() => useSendMessage(conversation.id), stranger);
    await expect(result.send('not mine')).resolves.toBeUndefined();
    expect(result.status.value).toBe('error');
    expect(result.error.value).toBeInstanceOf(NotFoundError);
    wrapper.unmount();
  });

  it('reports an error, and sends nothing, while the conversation id is missing', async () => {
    const recorder = recordingFetch();
    const watched = client(apiKey, { fetch: recorder.fetch });
    const { result, wrapper } = withSetup(() => useSendMessage(null), watched);
    await expect(result.send('to nowhere')).resolves.toBeUndefined();
    expect(result.status.value).toBe('error');
    expect(result.error.value?.message).toMatch(/no conversation id/);
    expect(recorder.calls).toHaveLength(0);
    wrapper.unmount();
  });

  it('aborts the stream on unmount and updates nothing afterwards', async () => {
    const conversation = await api.conversations.create({ title: 'Unmount', model: 'gpt-5' });
    const word = marker();
    await plantFault(word, { fault: 'stall_after', chunks: 1 });
    const recorder = recordingFetch();
    const watched = client(apiKey, { fetch: recorder.fetch });
    const { result, wrapper, counter } = withSetup(() => useSendMessage(conversation.id), watched);

    const pending = result.send(`${word} never finishes`);
    await eventually(() => expect(result.text.value).not.toBe(''));
    const streamCall = recorder.calls.find((c) => c.url.endsWith('/messages/stream'));
    expect(streamCall?.signal?.aborted).toBe(false);
    const textAtUnmount = result.text.value;

    const rendered = counter.renders;
    wrapper.unmount();
    expect(streamCall?.signal?.aborted).toBe(true);
    await expect(pending).resolves.toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(counter.renders).toBe(rendered);
    expect(result.status.value).toBe('streaming');
    expect(result.text.value).toBe(textAtUnmount);
  });
});
