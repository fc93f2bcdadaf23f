import { flushPromises } from '@vue/test-utils';
import { ref } from 'vue';
import { beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError, type ChatRoutesClient } from '@chatroutes/sdk';
import {
  invalidateConversation,
  useBranches,
  useCheckpoints,
  useConversation,
  useMessages,
  useTree,
  useUsage,
  useUsageSummary,
} from '../src/index';
import { eventually, withSetup } from './mount';
import { client, newAccountKey, conversationWithReply, recordingFetch, stack } from '../../typescript/tests/support/bindings-support';

describe('reading composables', () => {
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

    const { result, wrapper } = withSetup(
      () => ({
        conversation: useConversation(conversation.id),
        messages: useMessages(conversation.id),
        branches: useBranches(conversation.id),
        tree: useTree(conversation.id),
        checkpoints: useCheckpoints(conversation.id),
        usage: useUsage(conversation.id),
        summary: useUsageSummary(),
      }),
      api,
    );
    expect(result.conversation.isLoading.value).toBe(true);
    await eventually(() => {
      for (const query of Object.values(result)) expect(query.status.value).toBe('success');
    });

    expect(result.conversation.data.value?.title).toBe('Bindings');
    expect(result.messages.data.value?.map((m) => [m.role, m.content])).toEqual([
      ['user', 'what is a branch'],
      ['assistant', 'Echo: what is a branch'],
    ]);
    expect(result.branches.data.value?.map((b) => b.id)).toEqual([main.id]);
    expect(result.tree.data.value?.mainBranch.id).toBe(main.id);
    expect(result.checkpoints.data.value?.map((c) => c.id)).toEqual([checkpoint.id]);
    expect(result.usage.data.value?.totals.totalTokens).toBeGreaterThan(0);
    expect(result.summary.data.value?.tokensUsed).toBeGreaterThan(0);
    expect(wrapper.text()).not.toBe('');
    wrapper.unmount();
  });

  it('follow a conversation id held in a ref', async () => {
    const first = await conversationWithReply(api, 'one');
    const second = await conversationWithReply(api, 'two');
    const id = ref<string | null>(null);
    const { result, wrapper } = withSetup(() => useMessages(id), api);
    await flushPromises();
    expect(result.isFetching.value).toBe(false);

    id.value = first.conversation.id;
    await eventually(() => expect(result.data.value?.[0]?.content).toBe('one'));
    id.value = second.conversation.id;
    await eventually(() => expect(result.data.value?.[0]?.content).toBe('two'));
    wrapper.unmount();
  });

  it('read a branch when given its id', async () => {
    const { conversation, reply } = await conversationWithReply(api, 'trunk');
    const side = await api.branches.create(conversation.id, { title: 'Side', baseNodeId: reply.id });
    await api.messages.send(conversation.id, { content: 'only on the side', branchId: side.id });

    const { result, wrapper } = withSetup(() => useMessages(conversation.id, { branchId: side.id }), api);
    await eventually(() => expect(result.status.value).toBe('success'));
    expect(result.data.value?.map((m) => m.content)).toContain('only on the side');
    wrapper.unmount();
  });

  it('use an explicit client without the plugin', async () => {
    const { conversation } = await conversationWithReply(api);
    const { result, wrapper } = withSetup(() => useConversation(conversation.id, { client: api }));
    await eventually(() => expect(result.data.value?.id).toBe(conversation.id));
    wrapper.unmount();
  });

  it("surface a 404 for another account's conversation as the error", async () => {
    const { conversation } = await conversationWithReply(api);
    const stranger = client(stack.otherApiKey);
    const { result, wrapper } = withSetup(() => useMessages(conversation.id), stranger);
    await eventually(() => expect(result.status.value).toBe('error'));
    expect(result.error.value).toBeInstanceOf(NotFoundError);
    expect(result.data.value).toBeUndefined();
    wrapper.unmount();
  });

  it('share one request between components reading the same thing', async () => {
    const { conversation } = await conversationWithReply(api);
    const recorder = recordingFetch();
    const watched = client(apiKey, { fetch: recorder.fetch });
    const { result, wrapper } = withSetup(
      () => [useBranches(conversation.id), useBranches(conversation.id)] as const,
      watched,
    );
    await eventually(() => expect(result[1].status.value).toBe('success'));
    expect(result[0].data.value).toBe(result[1].data.value);
    expect(recorder.calls.filter((c) => c.url.includes('/branches'))).toHaveLength(1);
    wrapper.unmount();
  });

  it('refetch on demand and after invalidateConversation', async () => {
    const { conversation, reply } = await conversationWithReply(api);
    const { result, wrapper } = withSetup(() => useBranches(conversation.id), api);
    await eventually(() => expect(result.data.value).toHaveLength(1));

    await api.branches.create(conversation.id, { title: 'Second', baseNodeId: reply.id });
    await result.refetch();
    expect(result.data.value).toHaveLength(2);

    await api.branches.create(conversation.id, { title: 'Third', baseNodeId: reply.id });
    await invalidateConversation(api, conversation.id);
    expect(result.data.value?.map((b) => b.title)).toContain('Third');
    wrapper.unmount();
  });

  it('abort the request in flight on unmount and render nothing afterwards', async () => {
    const { conversation } = await conversationWithReply(api);
    const recorder = recordingFetch((call) => call.method === 'GET');
    const watched = client(apiKey, { fetch: recorder.fetch });
    const { result, wrapper, counter } = withSetup(() => useTree(conversation.id), watched);
    await eventually(() => expect(recorder.calls).toHaveLength(1));
    const [call] = recorder.calls;
    expect(call!.signal?.aborted).toBe(false);

    const rendered = counter.renders;
    wrapper.unmount();
    expect(call!.signal?.aborted).toBe(true);
    recorder.release();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(counter.renders).toBe(rendered);
    expect(result.status.value).toBe('loading');
  });
});
