import type { RequestOptions } from '../http';
import type {
  AddMessageResponse,
  Conversation,
  ConversationExport,
  ConversationTree,
  CreateConversationRequest,
  ListConversationsParams,
  PaginatedResponse,
  SendMessageRequest,
  SendMessageResponse,
  UpdateConversationRequest,
} from '../types';
import { Resource, dataOf, itemOf, seg } from './base';

const PAGE_SIZE = 50;

/** `client.conversations`: create, list (a page or all), get, update, delete, tree,
 * export/import, and the seed's `addMessage`. */
export class ConversationsAPI extends Resource {
  async create(data: CreateConversationRequest, options?: RequestOptions): Promise<Conversation> {
    return itemOf(await this._post('/conversations', data, options), 'conversation');
  }

  /** One page: `{data, total, page, limit, hasNext}`. */
  async list(params?: ListConversationsParams, options?: RequestOptions): Promise<PaginatedResponse<Conversation>> {
    const body = await this._get('/conversations', params, options);
    const data = dataOf<any>(body) ?? {};
    const pick = (key: string) => (data[key] !== undefined ? data[key] : body?.[key]);
    return {
      data: pick('conversations') ?? [],
      total: pick('total') ?? 0,
      page: pick('page') ?? 1,
      limit: pick('limit') ?? 10,
      hasNext: pick('hasNext') ?? false,
    };
  }

  /** Every conversation, fetching pages (of `params.limit`, default 50) as iteration needs them. */
  async *listAll(params?: ListConversationsParams, options?: RequestOptions): AsyncGenerator<Conversation, void, undefined> {
    let page = params?.page ?? 1;
    const limit = params?.limit ?? PAGE_SIZE;
    for (;;) {
      const result = await this.list({ ...params, page, limit }, options);
      yield* result.data;
      if (!result.hasNext || result.data.length === 0) return;
      page += 1;
    }
  }

  /** One conversation, with its branches and main-path `messages`. */
  async get(conversationId: string, options?: RequestOptions): Promise<Conversation> {
    return itemOf(await this._get(`/conversations/${seg(conversationId)}`, undefined, options), 'conversation');
  }

  async update(
    conversationId: string,
    data: UpdateConversationRequest | Partial<Conversation>,
    options?: RequestOptions,
  ): Promise<Conversation> {
    return itemOf(await this._patch(`/conversations/${seg(conversationId)}`, data, options), 'conversation');
  }

  async delete(conversationId: string, options?: RequestOptions): Promise<void> {
    await this._delete(`/conversations/${seg(conversationId)}`, options);
  }

  /** `{conversation, branches (nested nodes), mainBranch, tree (messages), metadata}`. */
  async getTree(conversationId: string, options?: RequestOptions): Promise<ConversationTree> {
    return dataOf(await this._get(`/conversations/${seg(conversationId)}/tree`, undefined, options));
  }

  /** The conversation as a transfer document (branches, messages, checkpoints). */
  async export(conversationId: string, options?: RequestOptions): Promise<ConversationExport> {
    return dataOf(await this._get(`/conversations/${seg(conversationId)}/export`, undefined, options));
  }

  /** A new conversation made from an export document (new ids). */
  async import(document: ConversationExport | Record<string, unknown>, options?: RequestOptions): Promise<Conversation> {
    return itemOf(await this._post('/conversations/import', document, options), 'conversation');
  }

  /** Send a message (the platform docs' name for `messages.send`); the reply is also
   * `aiResponse`. `branchId` sends on that branch. */
  async addMessage(conversationId: string, data: SendMessageRequest, options?: RequestOptions): Promise<AddMessageResponse> {
    const sent = dataOf<SendMessageResponse>(
      await this._post(`/conversations/${seg(conversationId)}/messages`, data, options),
    );
    return { ...sent, aiResponse: sent.assistantMessage ?? sent.message };
  }
}
