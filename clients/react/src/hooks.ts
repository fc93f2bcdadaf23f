import type { ChatRoutesClient } from '@chatroutes/sdk';
import { queries, type QueryKey, type Read } from '@chatroutes/sdk/bindings';
import { useChatRoutesClient } from './context';
import { useQuery, type QueryResult } from './useQuery';

export interface HookOptions {
  /** Use this client instead of the provider's. */
  client?: ChatRoutesClient;
}

export interface BranchScopedOptions extends HookOptions {
  /** A branch of the conversation; its main branch when omitted. */
  branchId?: string;
}

function useConversationQuery<T>(
  conversationId: string | null | undefined,
  query: (id: string) => readonly [QueryKey, Read<T>],
  options: HookOptions,
): QueryResult<T> {
  const client = useChatRoutesClient(options.client);
  const [key, read] = conversationId ? query(conversationId) : [null, null];
  return useQuery(client, key, read ? read(client) : unreachable);
}

/** Without a key useQuery observes nothing, so it never calls its fetcher. */
function unreachable(): Promise<never> {
  return Promise.reject(new Error('no conversation id'));
}

/** One conversation (title, model, settings, branches). */
export function useConversation(conversationId: string | null | undefined, options: HookOptions = {}) {
  return useConversationQuery(conversationId, queries.conversation, options);
}

/** The messages of a conversation's main branch, or of `branchId`. */
export function useMessages(
  conversationId: string | null | undefined,
  options: BranchScopedOptions = {},
) {
  return useConversationQuery(
    conversationId,
    (id) => queries.messages(id, options.branchId),
    options,
  );
}

/** The branches of a conversation. */
export function useBranches(conversationId: string | null | undefined, options: HookOptions = {}) {
  return useConversationQuery(conversationId, queries.branches, options);
}

/** The conversation's tree: its branch hierarchy and its message tree. */
export function useTree(conversationId: string | null | undefined, options: HookOptions = {}) {
  return useConversationQuery(conversationId, queries.tree, options);
}

/** The checkpoints of a conversation, or of one of its branches. */
export function useCheckpoints(
  conversationId: string | null | undefined,
  options: BranchScopedOptions = {},
) {
  return useConversationQuery(
    conversationId,
    (id) => queries.checkpoints(id, options.branchId),
    options,
  );
}

/** Token usage of one conversation (every branch), or of one of its branches. */
export function useUsage(
  conversationId: string | null | undefined,
  options: BranchScopedOptions = {},
) {
  return useConversationQuery(
    conversationId,
    (id) => queries.conversationUsage(id, options.branchId),
    options,
  );
}

/** The account's usage summary (tokens and cost this month); refreshed after every send. */
export function useUsageSummary(options: HookOptions = {}) {
  const client = useChatRoutesClient(options.client);
  const [key, fetcher] = queries.usageSummary();
  return useQuery(client, key, fetcher(client));
}
