import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { StrictMode, type ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError, type ChatRoutesClient } from '@chatroutes/sdk';
import {
  ChatRoutesProvider,
  invalidateConversation,
  useBranches,
  useCheckpoints,
  useConversation,
  useMessages,
  useTree,
  useUsage,
  useUsageSummary,
} from '../src/index';
import { client, newAccountKey, conversationWithReply, recordingFetch, stack } from '../../typescript/tests/support/bindings-support';

afterEach(cleanup);

function provider(api: ChatRoutesClient) {
  return ({ children }: { children: ReactNode }) => (
    <ChatRoutesProvider client={api}>{children}</ChatRoutesProvider>
  );
}

describe('reading hooks', () => {
  let apiKey: string;
  let api: ChatRoutesClient;
  beforeEach(async () => {
    apiKey = await newAccountKey();
    api = client(apiKey);
  });

  it('load the conversation, its messages, branches, tree, checkpoints and usage from the server', async () => {
    const { conversation, reply } = await conversationWithReply(api, 'what is a branch');
    const main = conversation.branches!.find((b) => b.isMain)!;
    const checkpoint = await api.checkpoints.create(conversation.id, main.id, reply.id);

    const { result } = renderHook(
      () => ({
        conversation: useConversation(conversation.id),
        messages: useMessages(conversation.id),
        branches: useBranches(conversation.id),
        tree: useTree(conversation.id),
        checkpoints: useCheckpoints(conversation.id),
        usage: useUsage(conversation.id),
        summary: useUsageSummary(),
      }),
      { wrapper: provider(api) },
    );
    expect(result.current.conversation.isLoading).toBe(true);
    await waitFor(() => {
      for (const query of Object.values(result.current)) expect(query.status).toBe('success');
    });

    const current = result.current;
    expect(current.conversation.data?.title).toBe('Bindings');
    expect(current.messages.data?.map((m) => [m.role, m.content])).toEqual([
      ['user', 'what is a branch'],
      ['assistant', 'Echo: what is a branch'],
    ]);
    expect(current.branches.data?.map((b) => b.id)).toEqual([main.id]);
    expect(current.tree.data?.mainBranch.id).toBe(main.id);
    expect(current.checkpoints.data?.map((c) => c.id)).toEqual([checkpoint.id]);
    expect(current.usage.data?.totals.totalTokens).toBeGreaterThan(0);
    expect(current.summary.data?.tokensUsed).toBeGreaterThan(0);
  });

  it('read a branch when given its id', async () => {
    const { conversation, reply } = await conversationWithReply(api, 'trunk');
    const side = await api.branches.create(conversation.id, { title: 'Side', baseNodeId: reply.id });
    await api.messages.send(conversation.id, { content: 'only on the side', branchId: side.id });

    const { result } = renderHook(() => useMessages(conversation.id, { branchId: side.id }), {
      wrapper: provider(api),
    });
    await waitFor(() => expect(result.current.status).toBe('success'));
    expect(result.current.data?.map((m) => m.content)).toContain('only on the side');
  });

  it('load under StrictMode, whose mount-unmount-mount aborts the first request', async () => {
    const { conversation } = await conversationWithReply(api);
    const recorder = recordingFetch();
    const watched = client(apiKey, { fetch: recorder.fetch });
    const Provide = provider(watched);
    const { result } = renderHook(() => useConversation(conversation.id), {
      wrapper: ({ children }) => (
        <StrictMode>
          <Provide>{children}</Provide>
        </StrictMode>
      ),
    });
    await waitFor(() => expect(result.current.data?.id).toBe(conversation.id));
    expect(result.current.error).toBeUndefined();
    expect(recorder.calls.length).toBeGreaterThanOrEqual(1);
  });

  it('use an explicit client without a provider', async () => {
    const { conversation } = await conversationWithReply(api);
    const { result } = renderHook(() => useConversation(conversation.id, { client: api }));
    await waitFor(() => expect(result.current.data?.id).toBe(conversation.id));
  });

  it('surface a 404 for another account\'s conversation as the error', async () => {
    const { conversation } = await conversationWithReply(api);
    const stranger = client(stack.otherApiKey);
    const { result } = renderHook(() => useMessages(conversation.id), { wrapper: provider(stranger) });
    await waitFor(() => expect(result.current.status).toBe('error'));
    expect(result.current.error).toBeInstanceOf(NotFoundError);
    expect(result.current.data).toBeUndefined();
  });

  it('observe nothing while the conversation id is missing', async () => {
    const recorder = recordingFetch();
    const watched = client(apiKey, { fetch: recorder.fetch });
    const { result } = renderHook(() => useConversation(undefined), { wrapper: provider(watched) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(result.current.status).toBe('loading');
    expect(result.current.isFetching).toBe(false);
    expect(recorder.calls).toHaveLength(0);
  });

  it('share one request between components reading the same thing', async () => {
    const { conversation } = await conversationWithReply(api);
    const recorder = recordingFetch();
    const watched = client(apiKey, { fetch: recorder.fetch });
    const { result } = renderHook(
      () => [useBranches(conversation.id), useBranches(conversation.id)] as const,
      { wrapper: provider(watched) },
    );
    await waitFor(() => expect(result.current[1].status).toBe('success'));
    expect(result.current[0].data).toBe(result.current[1].data);
    expect(recorder.calls.filter((c) => c.url.includes('/branches'))).toHaveLength(1);
  });

  it('refetch on demand and after invalidateConversation', async () => {
    const { conversation, reply } = await conversationWithReply(api);
    const { result } = renderHook(() => useBranches(conversation.id), { wrapper: provider(api) });
    await waitFor(() => expect(result.current.data).toHaveLength(1));

    await api.branches.create(conversation.id, { title: 'Second', baseNodeId: reply.id });
    await act(() => result.current.refetch());
    expect(result.current.data).toHaveLength(2);

    await api.branches.create(conversation.id, { title: 'Third', baseNodeId: reply.id });
    await act(() => invalidateConversation(api, conversation.id));
    expect(result.current.data?.map((b) => b.title)).toContain('Third');
  });

  it('abort the request in flight on unmount and render nothing afterwards', async () => {
    const { conversation } = await conversationWithReply(api);
    const recorder = recordingFetch((call) => call.method === 'GET');
    const watched = client(apiKey, { fetch: recorder.fetch });
    let renders = 0;
    const { unmount } = renderHook(
      () => {
        renders += 1;
        return useTree(conversation.id);
      },
      { wrapper: provider(watched) },
    );
    await waitFor(() => expect(recorder.calls).toHaveLength(1));
    const [call] = recorder.calls;
    expect(call!.signal?.aborted).toBe(false);

    const rendered = renders;
    unmount();
    expect(call!.signal?.aborted).toBe(true);
    recorder.release();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(renders).toBe(rendered);
  });
});
