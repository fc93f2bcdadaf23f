/**
 * Wire types. The official SDK 0.2.0's types keep their names and fields (extended with
 * what our server also sends); the rest cover the API beyond it.
 */

export type ContextMode = 'FULL' | 'PARTIAL' | 'MINIMAL' | 'NONE';

export interface ChatRoutesConfig {
  /** `cr_prod_sk_…`; in Node, default `process.env.CHATROUTES_API_KEY`. */
  apiKey?: string;
  /** A user session's access token (`auth.login`), sent as `Bearer` when there is no `apiKey`. */
  accessToken?: string;
  /** The server's root or its `/api/v1`; in Node, default `CHATROUTES_BASE_URL`, else
   * `https://api.chatroutes.com`. */
  baseUrl?: string;
  /** Milliseconds per attempt (default 30000). */
  timeout?: number;
  /** Retries after the first attempt, where safe (default 3; 0 turns retries off). */
  retryAttempts?: number;
  /** Milliseconds before the first retry, doubled each time (default 1000). */
  retryDelay?: number;
  /** Longest `Retry-After` (seconds) waited for; a longer one is thrown (default 60). */
  maxRetryAfter?: number;
  /** Headers sent on every request. */
  headers?: Record<string, string>;
  /** A `fetch` to use instead of the global one. */
  fetch?: typeof fetch;
}

export interface ApiResponse<T> {
  success: boolean;
  data?: T;
  error?: string;
  message?: string;
  details?: any;
}

export interface User {
  id: string;
  email: string;
  name?: string | null;
  plan?: string;
  createdAt?: string;
  [key: string]: unknown;
}

export interface AuthTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export interface RegisterRequest {
  email: string;
  password: string;
  name?: string;
}

export interface LoginRequest {
  email: string;
  password: string;
}

/** A branch's or conversation's spending cap. In an update, a field left out keeps its
 * value and a limit set to null is removed; `budget: null` removes the whole budget. */
export interface Budget {
  maxTokens?: number | null;
  /** USD, as the usage API counts cost. */
  maxCost?: number | null;
  /** The fraction of a limit at which the warning comes, in (0, 1]; 0.8 by default. */
  warnAt?: number;
}

/** Prompt + completion tokens of every model call charged, and their cost (USD). */
export interface Spent {
  tokens: number;
  cost: number;
}

/** A budget reached its `warnAt` fraction (once per crossing): in the reply's metadata,
 * a stream's `status` event and the `budget.warning` webhook. */
export interface BudgetWarning {
  budget: 'branch' | 'conversation';
  id: string;
  fraction: number;
  limit: { maxTokens: number | null; maxCost: number | null };
  spent: Spent;
}

export interface MessageMetadata {
  model?: string;
  temperature?: number;
  maxTokens?: number;
  responseTime?: number;
  finishReason?: string;
  cost?: number;
  context_truncated?: boolean | null;
  checkpoint_used?: boolean | null;
  prompt_tokens?: number | null;
  context_message_count?: number | null;
  budgetWarning?: BudgetWarning;
  /** The pinned messages this reply's context held, whatever a checkpoint or the window left out. */
  pinnedMessageIds?: string[];
  /** The excluded messages on this reply's path, left out of its context. */
  excludedMessageIds?: string[];
  /** How a send that outran its branch's automatic checkpoints caught up, if it had to. */
  checkpointCatchUp?: 'waited' | 'inline' | null;
  [key: string]: unknown;
}

export interface Message {
  id: string;
  conversationId: string;
  branchId?: string;
  parentMessageId?: string | null;
  role: 'user' | 'assistant' | 'system';
  content: string;
  model?: string | null;
  tokenCount?: number;
  createdAt: string;
  contentHash?: string;
  editedFrom?: string | null;
  /** Always in the context of the sends after it, even under a checkpoint or over the window. */
  pinned?: boolean;
  /** Never sent to a model. */
  excluded?: boolean;
  metadata?: MessageMetadata;
}

/** `messages.setContext`: a flag left out stays as it is; a message is never both. */
export interface MessageContextFlags {
  pinned?: boolean;
  excluded?: boolean;
}

export interface Branch {
  id: string;
  conversationId: string;
  parentBranchId?: string;
  forkPointMessageId?: string;
  headMessageId?: string | null;
  title: string;
  description?: string | null;
  contextMode?: ContextMode;
  isMain: boolean;
  isActive: boolean;
  archived?: boolean;
  checkpointId?: string | null;
  createdAt: string;
  updatedAt?: string;
  messageCount?: number;
  budget?: Budget | null;
  spent?: Spent;
}

export interface Conversation {
  id: string;
  userId: string;
  title: string;
  model?: string;
  systemPrompt?: string | null;
  temperature?: number | null;
  maxTokens?: number | null;
  archived?: boolean;
  createdAt: string;
  updatedAt: string;
  messageCount?: number;
  totalMessages?: number;
  branchCount?: number;
  messages?: Message[];
  branches?: Branch[];
  budget?: Budget | null;
  spent?: Spent;
}

export interface CreateConversationRequest {
  title: string;
  model?: string;
  systemPrompt?: string;
  temperature?: number;
  maxTokens?: number;
}

export interface UpdateConversationRequest {
  title?: string;
  model?: string;
  systemPrompt?: string | null;
  temperature?: number | null;
  maxTokens?: number | null;
  archived?: boolean;
  budget?: Budget | null;
}

export interface SendMessageRequest {
  content: string;
  model?: string;
  temperature?: number;
  maxTokens?: number;
  branchId?: string;
  parentMessageId?: string;
}

export interface UsageStats {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface SendMessageResponse {
  /** The assistant's reply. */
  message: Message;
  usage: UsageStats;
  model: string;
  userMessage?: Message;
  assistantMessage?: Message;
  branchId?: string;
  branch?: Branch;
}

/** `conversations.addMessage`'s answer: a send's, with the reply also as `aiResponse`. */
export interface AddMessageResponse extends SendMessageResponse {
  aiResponse: Message;
}

export interface StreamChunk {
  type: 'content' | 'complete' | 'error' | string;
  content?: string;
  model?: string;
  message?: any;
  usage?: UsageStats;
  userMessage?: Message;
  assistantMessage?: Message;
  error?: string;
  /** On a `status` event: `budget_warning`, with `budgetWarning`, just before `complete`. */
  status?: string;
  budgetWarning?: BudgetWarning;
  [key: string]: unknown;
}

export interface CreateBranchRequest {
  title: string;
  baseNodeId?: string;
  forkPointMessageId?: string;
  description?: string;
  contextMode?: ContextMode;
  /** The new branch's own budget. */
  budget?: Budget | null;
}

export interface ForkConversationRequest {
  forkPointMessageId: string;
  title: string;
  description?: string;
  contextMode?: ContextMode;
  /** The new branch's own budget. */
  budget?: Budget | null;
}

export interface UpdateBranchRequest {
  title?: string;
  description?: string | null;
  contextMode?: ContextMode;
  archived?: boolean;
  budget?: Budget | null;
  [key: string]: unknown;
}

/**
 * `branches.preview`: the next send to count. `content`, the message about to be sent;
 * `model` and `contextMode` as the send would use them (default: the conversation's model,
 * the branch's mode); `forkPointMessageId`, the first send of a branch forked there instead;
 * `maxTokens`, the send's (default: the conversation's), the room kept for its reply.
 */
export interface PreviewParams {
  model?: string;
  contextMode?: ContextMode;
  forkPointMessageId?: string;
  content?: string;
  maxTokens?: number;
}

/**
 * A branch's next send, counted and priced before it is made. `promptTokens`: the prompt
 * the send would give the model, the question included; `estimatedCost`: its price in USD
 * (null: the model has none), the reply not included; `contextWindow`: the model's.
 */
export interface SendPreview {
  promptTokens: number;
  estimatedCost: number | null;
  contextMessageCount: number;
  checkpointUsed: boolean;
  checkpointId: string | null;
  /** The send writes a checkpoint first (it outran the automatic ones), counted here. */
  checkpointCatchUp: boolean;
  truncated: boolean;
  contextWindow: number;
  model: string;
  contextMode: ContextMode;
  pinnedMessageIds: string[];
  excludedMessageIds: string[];
}

export type MergeStrategy = 'append' | 'replace' | 'cherry-pick';

export interface MergeRequest {
  strategy?: MergeStrategy;
  /** `cherry-pick`: the branch's messages to bring over. */
  messageIds?: string[];
}

export interface MergeResult {
  branch: Branch;
  messages?: Message[];
  mergedBranch?: Branch;
  strategy?: MergeStrategy;
  preservedBranch?: Branch | null;
}

export interface BranchNode {
  branch: Branch & { _count?: { messages: number } };
  children: BranchNode[];
}

export interface TreeNode {
  id: string;
  content: string;
  role: string;
  parentMessageId?: string | null;
  /** A message's: see `Message.pinned`, `Message.excluded` (the root has neither). */
  pinned?: boolean;
  excluded?: boolean;
  children: TreeNode[];
  branchInfo?: Record<string, unknown> | null;
}

export interface ConversationTree {
  conversation: Conversation;
  /** The branch hierarchy as nested nodes (the official SDK types it as `Branch[]`). */
  branches: Branch[] & BranchNode[];
  mainBranch: Branch;
  tree?: TreeNode;
  metadata?: { totalNodes: number; totalBranches: number; maxDepth: number };
}

export interface ListConversationsParams {
  page?: number;
  limit?: number;
  filter?: 'all' | 'owned' | 'shared';
  archived?: boolean;
  [key: string]: string | number | boolean | undefined;
}

export interface PaginatedResponse<T> {
  data: T[];
  total: number;
  page: number;
  limit: number;
  hasNext?: boolean;
}

export interface Checkpoint {
  id: string;
  conversationId: string;
  branchId: string;
  anchorMessageId: string;
  checkpointType?: 'manual' | 'auto';
  summary?: string;
  tokenCount?: number;
  metadata?: Record<string, unknown>;
  createdAt: string;
  conversation_id?: string;
  branch_id?: string;
  anchor_message_id?: string;
  token_count?: number;
  created_at?: string;
}

export interface CreateCheckpointRequest {
  branchId: string;
  anchorMessageId: string;
}

/** `checkpoints.recreate`: the checkpoint, the branch rebuilt from it and its messages. */
export interface RecreateResult {
  checkpoint: Checkpoint;
  branch: Branch;
  messages: Message[];
}

/** The branch point a suggestion is one option of, read as a whole ("A or B"). */
export interface BranchPointGroup {
  id: string;
  type: string;
  triggerText: string;
  branchPoint: { start: number; end: number };
}

export interface BranchPointGroupSummary extends BranchPointGroup {
  suggestionIds: string[];
}

/**
 * The official fields, then this server's: the suggestion's family (`type`), every option
 * of its branch point, the first message of a branch made from it, and its branch point.
 */
export interface BranchSuggestion {
  id: string;
  title: string;
  description: string;
  triggerText: string;
  branchPoint: { start: number; end: number };
  confidence: number;
  reasoning: string;
  estimatedDivergence: 'low' | 'medium' | 'high';
  type?: string;
  options?: string[];
  firstPrompt?: string;
  group?: BranchPointGroup;
}

/** What a hybrid detection's reviewing model did to the pattern suggestions. */
export interface ReviewCounts {
  confirmed: number;
  rejected: number;
  split: number;
  merged: number;
  added: number;
  /** Operations that could not be applied. */
  ignored: number;
}

/**
 * `groups`: the branch points of the suggestions given, each with its suggestions' ids;
 * `fallbackReason`: why a hybrid detection fell back to patterns alone; `review`: what the
 * reviewing model did to the candidates.
 */
export interface SuggestionMetadata {
  detectionMethod: 'pattern' | 'hybrid' | 'llm';
  totalBranchPointsFound: number;
  modelUsed: string | null;
  groups?: BranchPointGroupSummary[];
  fallbackReason?: string;
  review?: ReviewCounts;
}

export interface SuggestBranchesRequest {
  text: string;
  suggestionsCount?: number;
  hybridDetection?: boolean;
  threshold?: number;
  llmModel?: string;
  llmProvider?: string;
  llmApiKey?: string;
}

export interface SuggestBranchesResponse {
  suggestions: BranchSuggestion[];
  metadata: SuggestionMetadata;
}

export interface ApplyAutoBranchRequest {
  /** Ids of the pattern detector's suggestions for the message. */
  suggestionIds?: string[];
  /** Suggestions `suggestBranches` returned for the message's text, hybrid ones included. */
  suggestions?: BranchSuggestion[];
  threshold?: number;
  suggestionsCount?: number;
}

export interface HealthResponse {
  status: string;
  version: string;
  service: string;
}

export interface ConversationExport {
  format: string;
  version: number;
  exportedAt: string;
  conversation: Conversation;
  branches: Branch[];
  messages: Message[];
  checkpoints: Checkpoint[];
  [key: string]: unknown;
}

export interface UsageTotals {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cost: number;
  calls: number;
  messages?: number;
  model?: string;
  date?: string;
}

export interface UsageReport {
  timeframe?: string;
  period?: Record<string, string | null>;
  conversationId?: string;
  branchId?: string | null;
  messageId?: string;
  totals: UsageTotals;
  byModel?: UsageTotals[];
  byDay?: UsageTotals[];
  [key: string]: unknown;
}

/** One message's usage (`usage.message`). */
export interface MessageUsage {
  messageId: string;
  conversationId: string;
  branchId: string;
  role: string;
  model: string | null;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cost: number;
  createdAt: string;
  deleted: boolean;
}

export interface UsageSummary {
  tokensUsed: number;
  promptTokens: number;
  completionTokens: number;
  costThisMonth: number;
  calls: number;
  byModel: UsageTotals[];
  [key: string]: unknown;
}

export type Timeframe = 'day' | 'week' | 'month' | 'year' | 'all';

export interface Pricing {
  pricing: Record<string, Record<string, unknown>>;
  currency: string;
}

export interface Plan {
  id: string;
  name: string;
  price: number | null;
  currency: string;
  interval: string;
  limits: Record<string, number | null>;
  features: string[];
  [key: string]: unknown;
}

export interface Billing {
  plan: string;
  planDetails: Plan;
  planChangedAt: string | null;
  period: Record<string, string | null>;
  calls: Record<string, number | null>;
  tokens: Record<string, number | null>;
  costSoFar: number;
  currency: string;
  billingCustomerId?: string | null;
  [key: string]: unknown;
}

export interface ModelInfo {
  id: string;
  name: string;
  provider: string;
  upstreamId?: string;
  contextWindow?: number;
  maxOutputTokens?: number;
  streaming?: boolean;
  vision?: boolean;
  tools?: boolean;
  available?: boolean;
  isDefault?: boolean;
  pricing?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface ParallelResponseRequest {
  content: string;
  /** One candidate per model... */
  models?: string[];
  /** ...or this many of the conversation's model. */
  count?: number;
  temperature?: number;
  maxTokens?: number;
  branchId?: string;
}

export interface ParallelCandidate {
  id: string;
  model: string;
  temperature?: number | null;
  status: string;
  content: string;
  messageId?: string | null;
  usage?: UsageStats;
  cost?: number | null;
  latencyMs?: number | null;
  error?: Record<string, unknown> | null;
}

export interface ParallelResponseSession {
  id: string;
  conversationId: string;
  branchId: string;
  status: string;
  userMessage?: Message | null;
  candidates: ParallelCandidate[];
  chosenCandidateId?: string | null;
  usage?: UsageStats;
  cost?: number;
  /** After `choose`: the chosen reply, stored. */
  message?: Message;
  branch?: Branch;
}

/** An event of `parallelResponses.stream`. */
export interface ParallelStreamEvent extends StreamChunk {
  type: 'session' | 'content' | 'complete' | 'error' | string;
  /** `session` events: the session, at the start and at the end. */
  session?: ParallelResponseSession;
  /** The candidate a `content`, `complete` or `error` event belongs to. */
  candidateId?: string;
}

export interface StopResponse {
  /** Whether this call ended the generation (false: it had already finished). */
  stopped: boolean;
  message: Message;
}

export interface ApiKey {
  id: string;
  name: string | null;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** A new key: its secret (`key`) is shown this once. */
export interface NewApiKey extends ApiKey {
  key: string;
}

export type WebhookEventType =
  | 'message.completed'
  | 'branch.created'
  | 'branch.merged'
  | 'checkpoint.created'
  | 'conversation.deleted'
  | 'usage.quota_warning'
  | 'parallel.completed'
  | 'budget.warning'
  | 'webhook.test';

export interface Webhook {
  id: string;
  url: string;
  events: Array<WebhookEventType | '*' | string>;
  description: string | null;
  enabled: boolean;
  disabledReason: string | null;
  disabledAt: string | null;
  consecutiveFailures: number;
  createdAt: string;
  updatedAt: string;
  /** Only in the answers of `create` and `rotateSecret`. */
  secret?: string;
}

export interface CreateWebhookRequest {
  url: string;
  events: Array<WebhookEventType | '*' | string>;
  description?: string;
  enabled?: boolean;
}

export interface UpdateWebhookRequest {
  url?: string;
  events?: Array<WebhookEventType | '*' | string>;
  description?: string | null;
  enabled?: boolean;
}

export interface WebhookDeliveryAttempt {
  at: string;
  statusCode: number | null;
  error: string | null;
  durationMs: number | null;
}

export interface WebhookDelivery {
  id: string;
  webhookId: string;
  eventType: string;
  status: 'pending' | 'delivered' | 'failed';
  attemptCount: number;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  attempts?: WebhookDeliveryAttempt[];
}

export interface DeliveryPage {
  deliveries: WebhookDelivery[];
  nextCursor: string | null;
}

/** An event as a webhook receiver gets it. */
export interface WebhookEvent<T = Record<string, any>> {
  type: WebhookEventType | string;
  timestamp: string;
  data: T;
}
