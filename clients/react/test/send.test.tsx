import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError, type ChatRoutesClient } from '@chatroutes/sdk';
import { ChatRoutesProvider, useMessages, useSendMessage, useTree, useUsage } from '../src/index';
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

afterEach(cleanup);

function provider(api: ChatRoutesClient) {
  return ({ children }: { children: ReactNode }) => (
    <ChatRoutesProvider client={api}>{children}</ChatRoutesProvider>
  );
}

describe('useSendMessage', () => {
  let apiKey: string;
  let api: ChatRoutesClient;
  beforeEach(async () => {
    apiKey = await newAccountKey();
    api = client(apiKey);
  });

  it('streams the reply and ends with the stored message, its usage and model', async () => {
    const conversation = await api.conversations.create({ title: 'Send', model: 'gpt-5' });
    const { result } = renderHook(() => useSendMessage(conversation.id), { wrapper: provider(api) });
    expect(result.current.status).toBe('idle');

    let pending!: ReturnType<typeof result.current.send>;
    act(() => {
      pending = result.current.send('tell me about trees');
    });
    expect(result.current.status).toBe('streaming');
    expect(result.current.isStreaming).toBe(true);
    let sent: Awaited<typeof pending>;
    await act(async () => {
      sent = await pending;
    });

    expect(result.current.status).toBe('complete');
    expect(result.current.message?.content).toBe('Echo: tell me about trees');
    expect(result.current.text).toBe('Echo: tell me about trees');
    expect(result.current.message?.id).toBe(sent!?.id);
    expect(result.current.usage?.totalTokens).toBeGreaterThan(0);
    expect(result.current.model).toBe('gpt-5');
    expect(result.current.error).toBeUndefined();
  });

  it('shows the partial text while the reply streams, and stop() ends it with the text so far stored', async () => {
    const conversation = await api.conversations.create({ title: 'Stop', model: 'gpt-5' });
    const word = marker();
    const whole = `Echo: ${word} and then a long story follows`;
    await plantFault(word, { fault: 'stall_after', chunks: 2 });
    const { result } = renderHook(() => useSendMessage(conversation.id), { wrapper: provider(api) });

    let pending!: Promise<unknown>;
    act(() => {
      pending = result.current.send(`${word} and then a long story follows`);
    });
    await waitFor(() => expect(result.current.text).not.toBe(''));
    expect(result.current.status).toBe('streaming');
    expect(result.current.message).toBeUndefined();
    const partial = result.current.text;
    expect(whole.startsWith(partial)).toBe(true);
    expect(partial.length).toBeLessThan(whole.length);

    await act(() => result.current.stop());
    await expect(pending).resolves.toBeUndefined();
    expect(result.current.status).toBe('stopped');
    // What was shown before the stop, and what arrived since, is what the server kept.
    const kept = await expectStoppedAsStored(api, conversation.id, result.current.message, whole, partial);
    expect(result.current.text).toBe(kept);
  });

  it('stop() before the first words waits for them, then stops the reply on the server', async () => {
    const conversation = await api.conversations.create({ title: 'Early stop', model: 'gpt-5' });
    const word = marker();
    const whole = `Echo: ${word} is slow to start`;
    await plantFault(word, { fault: 'stall_after', chunks: 2 });
    const recorder = recordingFetch((call) => call.url.endsWith('/messages/stream'));
    const { result } = renderHook(() => useSendMessage(conversation.id), {
      wrapper: provider(client(apiKey, { fetch: recorder.fetch })),
    });

    let pending!: Promise<unknown>;
    act(() => {
      pending = result.current.send(`${word} is slow to start`);
    });
    await waitFor(() => expect(recorder.calls).toHaveLength(1)); // the send, held back
    let stopped!: Promise<void>;
    act(() => {
      stopped = result.current.stop();
    });
    expect(result.current.status).toBe('stopped');

    recorder.release();
    await act(() => stopped);
    await expect(pending).resolves.toBeUndefined();
    await expectStoppedAsStored(api, conversation.id, result.current.message, whole);
  });

  it('refreshes the messages, tree and usage of its conversation once the reply is stored', async () => {
    const { conversation } = await conversationWithReply(api, 'first');
    const { result } = renderHook(
      () => ({
        messages: useMessages(conversation.id),
        tree: useTree(conversation.id),
        usage: useUsage(conversation.id),
        sender: useSendMessage(conversation.id),
      }),
      { wrapper: provider(api) },
    );
    await waitFor(() => {
      expect(result.current.messages.data).toHaveLength(2);
      expect(result.current.tree.status).toBe('success');
      expect(result.current.usage.status).toBe('success');
    });
    const nodesBefore = result.current.tree.data!.metadata!.totalNodes;
    const tokensBefore = result.current.usage.data!.totals.totalTokens;

    await act(() => result.current.sender.send('second'));

    await waitFor(() => {
      expect(result.current.messages.data?.map((m) => m.content)).toEqual([
        'first',
        'Echo: first',
        'second',
        'Echo: second',
      ]);
      expect(result.current.tree.data!.metadata!.totalNodes).toBe(nodesBefore + 2);
      expect(result.current.usage.data!.totals.totalTokens).toBeGreaterThan(tokensBefore);
    });
  });

  it('sends on the branch it was given', async () => {
    const { conversation, reply } = await conversationWithReply(api, 'trunk');
    const side = await api.branches.create(conversation.id, { title: 'Side', baseNodeId: reply.id });
    const { result } = renderHook(
      () => ({
        side: useMessages(conversation.id, { branchId: side.id }),
        sender: useSendMessage(conversation.id, { branchId: side.id }),
      }),
      { wrapper: provider(api) },
    );
    await act(() => result.current.sender.send('on the side'));
    expect(result.current.sender.message?.branchId).toBe(side.id);
    await waitFor(() =>
      expect(result.current.side.data?.map((m) => m.content)).toContain('Echo: on the side'),
    );
    const main = await api.messages.list(conversation.id);
    expect(main.map((m) => m.content)).not.toContain('on the side');
  });

  it("surfaces a 404 for another account's conversation as the error", async () => {
    const { conversation } = await conversationWithReply(api);
    const stranger = client(stack.otherApiKey);
    const { result } = renderHook(() => useSendMessage(conversation.id), {
      wrapper: provider(stranger),
    });
    let sent: unknown = 'unset';
    await act(async () => {
      sent = await result.current.send('not mine');
    });
    expect(sent).toBeUndefined();
    expect(result.current.status).toBe('error');
    expect(result.current.error).toBeInstanceOf(NotFoundError);
  });

  it('reports an error, and sends nothing, while the conversation id is missing', async () => {
    const recorder = recordingFetch();
    const watched = client(apiKey, { fetch: recorder.fetch });
    const { result } = renderHook(() => useSendMessage(undefined), { wrapper: provider(watched) });
    let sent: unknown = 'unset';
    await act(async () => {
      sent = await result.current.send('to nowhere');
    });
    expect(sent).toBeUndefined();
    expect(result.current.status).toBe('error');
    expect(result.current.error?.message).toMatch(/no conversation id/);
    expect(recorder.calls).toHaveLength(0);
  });

  it('aborts the stream on unmount and updates nothing afterwards', async () => {
    const conversation = await api.conversations.create({ title: 'Unmount', model: 'gpt-5' });
    const word = marker();
    await plantFault(word, { fault: 'stall_after', chunks: 1 });
    const recorder = recordingFetch();
    const watched = client(apiKey, { fetch: recorder.fetch });
    let renders = 0;
    const { result, unmount } = renderHook(
      () => {
        renders += 1;
        return useSendMessage(conversation.id);
      },
      { wrapper: provider(watched) },
    );
    let pending!: Promise<unknown>;
    act(() => {
      pending = result.current.send(`${word} never finishes`);
    });
    await waitFor(() => expect(result.current.text).not.toBe(''));
    const streamCall = recorder.calls.find((c) => c.url.endsWith('/messages/stream'));
    expect(streamCall?.signal?.aborted).toBe(false);

    const rendered = renders;
    unmount();
    expect(streamCall?.signal?.aborted).toBe(true);
    await expect(pending).resolves.toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(renders).toBe(rendered);
  });
});
