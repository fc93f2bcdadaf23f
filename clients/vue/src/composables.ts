import { toValue, type MaybeRefOrGetter } from 'vue';
import type { ChatRoutesClient } from '@chatroutes/sdk';
import { queries, type QueryKey, type Read } from '@chatroutes/sdk/bindings';
import { useChatRoutesClient } from './plugin';
import { useQuery, type QueryResult } from './useQuery';

export interface ComposableOptions {
  /** Use this client instead of the injected one. */
  client?: ChatRoutesClient;
}

export interface BranchScopedOptions extends ComposableOptions {
  /** A branch of the conversation (a ref or getter works); its main branch when omitted. */
  branchId?: MaybeRefOrGetter<string | null | undefined>;
}

/** A conversation id: a string, a ref or a getter; null or undefined observes nothing. */
export type ConversationIdSource = MaybeRefOrGetter<string | null | undefined>;

function useConversationQuery<T>(
  conversationId: ConversationIdSource,
  query: (id: string) => readonly [QueryKey, Read<T>],
  options: ComposableOptions,
): QueryResult<T> {
  const client = useChatRoutesClient(options.client);
  return useQuery(client, () => {
    const id = toValue(conversationId);
    if (!id) return null;
    const [key, read] = query(id);
    return [key, read(client)] as const;
  });
}

function branchOf(options: BranchScopedOptions): string | undefined {
  return toValue(options.branchId) ?? undefined;
}

/** One conversation (title, model, settings, branches). */
export function useConversation(conversationId: ConversationIdSource, options: ComposableOptions = {}) {
  return useConversationQuery(conversationId, queries.conversation, options);
}

/** The messages of a conversation's main branch, or of `branchId`. */
export function useMessages(conversationId: ConversationIdSource, options: BranchScopedOptions = {}) {
  return useConversationQuery(
    conversationId,
    (id) => queries.messages(id, branchOf(options)),
    options,
  );
}

/** The branches of a conversation. */
export function useBranches(conversationId: ConversationIdSource, options: ComposableOptions = {}) {
  return useConversationQuery(conversationId, queries.branches, options);
}

/** The conversation's tree: its branch hierarchy and its message tree. */
export function useTree(conversationId: ConversationIdSource, options: ComposableOptions = {}) {
  return useConversationQuery(conversationId, queries.tree, options);
}

/** The checkpoints of a conversation, or of one of its branches. */
export function useCheckpoints(
  conversationId: ConversationIdSource,
  options: BranchScopedOptions = {},
) {
  return useConversationQuery(
    conversationId,
    (id) => queries.checkpoints(id, branchOf(options)),
    options,
  );
}

/** Token usage of one conversation (every branch), or of one of its branches. */
export function useUsage(conversationId: ConversationIdSource, options: BranchScopedOptions = {}) {
  return useConversationQuery(
    conversationId,
    (id) => queries.conversationUsage(id, branchOf(options)),
    options,
  );
}

/** The account's usage summary (tokens and cost this month); refreshed after every send. */
export function useUsageSummary(options: ComposableOptions = {}) {
  const client = useChatRoutesClient(options.client);
  return useQuery(client, () => {
    const [key, read] = queries.usageSummary();
    return [key, read(client)] as const;
  });
}
