/**
 * Every read the bindings make: its cache key and the SDK call that fetches it. A key's second
 * element is its conversation (null: account-wide), which is how a send invalidates them.
 */
import type { ChatRoutesClient } from '../client';
import type { QueryKey } from './cache';

/** How to fetch one thing with a client, given the signal that aborts it. */
export type Read<T> = (client: ChatRoutesClient) => (signal: AbortSignal) => Promise<T>;

function query<T>(key: QueryKey, read: Read<T>): readonly [QueryKey, Read<T>] {
  return [key, read] as const;
}

export const queries = {
  conversation: (id: string) =>
    query(['conversation', id], (client) => (signal) => client.conversations.get(id, { signal })),
  messages: (id: string, branchId?: string) =>
    query(['messages', id, branchId ?? null], (client) => (signal) =>
      client.messages.list(id, branchId, { signal }),
    ),
  branches: (id: string) =>
    query(['branches', id], (client) => (signal) => client.branches.list(id, { signal })),
  tree: (id: string) =>
    query(['tree', id], (client) => (signal) => client.conversations.getTree(id, { signal })),
  checkpoints: (id: string, branchId?: string) =>
    query(['checkpoints', id, branchId ?? null], (client) => (signal) =>
      client.checkpoints.list(id, branchId, { signal }),
    ),
  conversationUsage: (id: string, branchId?: string) =>
    query(['usage', id, branchId ?? null], (client) => (signal) =>
      client.usage.conversation(id, branchId, { signal }),
    ),
  usageSummary: () =>
    query(['usage-summary', null], (client) => (signal) => client.usage.summary({ signal })),
};
