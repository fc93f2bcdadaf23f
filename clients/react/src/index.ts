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
export type { SendMessage, SendState, SendStatus } from './useSendMessage';
export type { QueryResult } from './useQuery';
export type { QueryStatus } from './cache';
export { invalidateConversation } from './invalidate';
