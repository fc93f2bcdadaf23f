export { ChatRoutesProvider, useChatRoutesClient } from './context';
export type { ChatRoutesProviderProps } from './context';
export {
  useConversation,
  useMessages,
  useBranches,
  useTree,
  useCheckpoints,
  useUsage,
  useUsageSummary,
} from './hooks';
export type { HookOptions, BranchScopedOptions } from './hooks';
export { useSendMessage } from './useSendMessage';
export type { SendMessage } from './useSendMessage';
export type { QueryResult } from './useQuery';
// The shared state layer's public part, re-exported: the cache's status, the
// send state and the invalidation.
export {
  invalidateConversation,
  type QueryStatus,
  type SendState,
  type SendStatus,
} from '@chatroutes/sdk/bindings';
