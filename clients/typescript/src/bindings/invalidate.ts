import type { ChatRoutesClient } from '../client';
import { cacheFor } from './cache';

/**
 * Refetch what the bindings show of `conversationId` (and the account's usage summary), after a
 * change made with the client directly: a new branch, a merge, an edit, a checkpoint.
 */
export function invalidateConversation(
  client: ChatRoutesClient,
  conversationId: string,
): Promise<void> {
  return cacheFor(client).invalidateConversation(conversationId);
}
