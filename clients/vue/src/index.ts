export {
  ChatRoutesPlugin,
  ChatRoutesClientKey,
  provideChatRoutes,
  useChatRoutesClient,
} from './plugin';
export type { ChatRoutesPluginOptions } from './plugin';
export {
  useConversation,
  useMessages,
  useBranches,
  useTree,
  useCheckpoints,
  useUsage,
  useUsageSummary,
} from './composables';
export type { ComposableOptions, BranchScopedOptions, ConversationIdSource } from './composables';
export { useSendMessage } from './useSendMessage';
export type { SendMessage, SendStatus } from './useSendMessage';
export type { QueryResult } from './useQuery';
export type { QueryStatus } from './cache';
export { invalidateConversation } from './invalidate';
