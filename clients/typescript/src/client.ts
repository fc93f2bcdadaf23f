import { DEFAULT_BASE_URL, API_PREFIX, Transport, type RequestOptions } from './http';
import { AuthAPI } from './resources/auth';
import { ConversationsAPI } from './resources/conversations';
import { MessagesAPI } from './resources/messages';
import { BranchesAPI } from './resources/branches';
import { CheckpointsAPI } from './resources/checkpoints';
import { BillingAPI, ModelsAPI, PlansAPI, UsageAPI } from './resources/usage';
import { ParallelResponsesAPI } from './resources/parallel';
import { AutoBranchAPI } from './resources/autobranch';
import { ApiKeysAPI } from './resources/api-keys';
import { WebhooksAPI } from './resources/webhooks';
import { MessageStream } from './stream';
import type { ApiResponse, ChatRoutesConfig, StreamChunk } from './types';

export const API_KEY_ENV = 'CHATROUTES_API_KEY';
export const BASE_URL_ENV = 'CHATROUTES_BASE_URL';

/** An environment variable in Node (undefined in a browser, where there is no `process`). */
function fromEnv(name: string): string | undefined {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const value = typeof proc === 'object' && proc !== null ? proc.env?.[name] : undefined;
  return value || undefined;
}

/** The official SDK's paths start with `/api/v1`; ours are relative to it. */
function apiPath(path: string): string {
  return path.startsWith(API_PREFIX + '/') ? path.slice(API_PREFIX.length) : path;
}

/**
 * The ChatRoutes client, a drop-in for the official `ChatRoutesClient` (0.2.0).
 *
 * ```ts
 * const client = new ChatRoutesClient({ apiKey: 'cr_prod_sk_…', baseUrl: 'http://localhost:8000' });
 * const conversation = await client.conversations.create({ title: 'Ideas' });
 * const reply = await client.messages.send(conversation.id, { content: 'Hello' });
 * ```
 */
export class ChatRoutesClient {
  readonly auth: AuthAPI;
  readonly conversations: ConversationsAPI;
  readonly messages: MessagesAPI;
  readonly branches: BranchesAPI;
  readonly checkpoints: CheckpointsAPI;
  readonly usage: UsageAPI;
  readonly plans: PlansAPI;
  readonly billing: BillingAPI;
  readonly models: ModelsAPI;
  readonly parallelResponses: ParallelResponsesAPI;
  readonly autobranch: AutoBranchAPI;
  readonly apiKeys: ApiKeysAPI;
  readonly webhooks: WebhooksAPI;
  private readonly transport: Transport;

  constructor(config: ChatRoutesConfig = {}) {
    this.transport = new Transport({
      apiKey: config.apiKey ?? fromEnv(API_KEY_ENV),
      accessToken: config.accessToken,
      baseUrl: config.baseUrl || fromEnv(BASE_URL_ENV) || DEFAULT_BASE_URL,
      timeout: config.timeout ?? 30000,
      retryAttempts: config.retryAttempts ?? 3,
      retryDelay: config.retryDelay ?? 1000,
      maxRetryAfter: config.maxRetryAfter ?? 60,
      headers: config.headers ?? {},
      fetch: config.fetch,
    });
    this.auth = new AuthAPI(this.transport);
    this.conversations = new ConversationsAPI(this.transport);
    this.messages = new MessagesAPI(this.transport);
    this.branches = new BranchesAPI(this.transport);
    this.checkpoints = new CheckpointsAPI(this.transport);
    this.usage = new UsageAPI(this.transport);
    this.plans = new PlansAPI(this.transport);
    this.billing = new BillingAPI(this.transport);
    this.models = new ModelsAPI(this.transport);
    this.parallelResponses = new ParallelResponsesAPI(this.transport);
    this.autobranch = new AutoBranchAPI(this.transport);
    this.apiKeys = new ApiKeysAPI(this.transport);
    this.webhooks = new WebhooksAPI(this.transport);
  }

  /** The API root requests go to, e.g. `http://localhost:8000/api/v1`. */
  get baseUrl(): string {
    return this.transport.apiRoot;
  }

  /** Use a user session's access token (when the client has no API key), e.g. after `auth.login`. */
  setAccessToken(accessToken: string | undefined): void {
    this.transport.config.accessToken = accessToken;
  }

  /** A raw call: the whole JSON body (`{success, data}`); errors thrown as the SDK's classes.
   * `path` is relative to `/api/v1` (a leading `/api/v1` is accepted). */
  async request<T>(
    method: string,
    path: string,
    data?: any,
    options: RequestOptions & { skipAuth?: boolean } = {},
  ): Promise<ApiResponse<T>> {
    const { skipAuth, ...rest } = options;
    return this.transport.json({ method, path: apiPath(path), body: data ?? undefined, skipAuth, options: rest });
  }

  get<T>(path: string, params?: Record<string, any>, options?: RequestOptions): Promise<ApiResponse<T>> {
    const [bare, search] = path.split('?', 2);
    const query = { ...Object.fromEntries(new URLSearchParams(search ?? '')), ...(params ?? {}) };
    return this.transport.json({ method: 'GET', path: apiPath(bare!), query, options });
  }

  post<T>(path: string, data?: any, options?: RequestOptions & { skipAuth?: boolean }): Promise<ApiResponse<T>> {
    return this.request<T>('POST', path, data, options);
  }

  patch<T>(path: string, data?: any, options?: RequestOptions): Promise<ApiResponse<T>> {
    return this.request<T>('PATCH', path, data, options);
  }

  delete<T>(path: string, options?: RequestOptions): Promise<ApiResponse<T>> {
    return this.request<T>('DELETE', path, undefined, options);
  }

  /** A raw streamed POST, calling `onChunk` with each event until `[DONE]`. */
  async stream(path: string, data: any, onChunk: (chunk: StreamChunk) => void, options?: RequestOptions): Promise<void> {
    const stream = new MessageStream(this.transport, { method: 'POST', path: apiPath(path), body: data, options });
    await stream.consume(onChunk);
  }
}
