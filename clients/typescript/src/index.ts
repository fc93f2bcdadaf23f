export { ChatRoutesClient, API_KEY_ENV, BASE_URL_ENV } from './client';
export { AuthAPI } from './resources/auth';
export { ConversationsAPI } from './resources/conversations';
export { MessagesAPI } from './resources/messages';
export { BranchesAPI } from './resources/branches';
export { CheckpointsAPI } from './resources/checkpoints';
export { UsageAPI, PlansAPI, BillingAPI, ModelsAPI } from './resources/usage';
export { ParallelResponsesAPI, ParallelResponseStream } from './resources/parallel';
export { AutoBranchAPI } from './resources/autobranch';
export { ApiKeysAPI } from './resources/api-keys';
export { WebhooksAPI } from './resources/webhooks';
export { MessageStream, type OnChunk, type OnComplete } from './stream';
export { SSEParser, readServerSentEvents, type ServerSentEvent } from './sse';
export { apiRoot, parseRetryAfter, type RequestOptions } from './http';

export {
  ChatRoutesError,
  AuthenticationError,
  ValidationError,
  NotFoundError,
  RateLimitError,
  NetworkError,
  TimeoutError,
  PermissionDeniedError,
  ConflictError,
  BudgetExceededError,
  ServerError,
  StreamError,
  type ErrorBody,
} from './errors';

export type * from './types';
