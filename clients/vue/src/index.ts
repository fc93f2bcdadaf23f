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
export type { SendMessage } from './useSendMessage';
export type { QueryResult } from './useQuery';
// The shared state layer's public part, re-exported: the cache's status, the
// send status and the invalidation.
export {
  invalidateConversation,
  type QueryStatus,
  type SendStatus,
} from '@chatroutes/sdk/bindings';
