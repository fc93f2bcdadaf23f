import type { RequestOptions } from '../http';
import type { MessageStream, OnChunk, OnComplete } from '../stream';
import type {
  Branch,
  CreateBranchRequest,
  ForkConversationRequest,
  MergeRequest,
  MergeResult,
  Message,
  PreviewParams,
  SendMessageRequest,
  SendMessageResponse,
  SendPreview,
  UpdateBranchRequest,
} from '../types';
import { Resource, dataOf, itemOf, itemsOf, seg } from './base';
import { startStream, streamPath } from './messages';

const base = (conversationId: string) => `/conversations/${seg(conversationId)}`;

/** `client.branches`: list, create, fork, update, delete, messages, send, stream, merge, preview. */
export class BranchesAPI extends Resource {
  /** Every branch of a conversation, the main one included. */
  async list(conversationId: string, options?: RequestOptions): Promise<Branch[]> {
    return itemsOf(await this._get(`${base(conversationId)}/branches`, undefined, options), 'branches');
  }

  /** A new branch forked at `forkPointMessageId`/`baseNodeId` (or the main branch's head). */
  async create(conversationId: string, data: CreateBranchRequest, options?: RequestOptions): Promise<Branch> {
    return itemOf(await this._post(`${base(conversationId)}/branches`, data, options), 'branch');
  }

  /** A new branch forked at `forkPointMessageId`. */
  async fork(conversationId: string, data: ForkConversationRequest, options?: RequestOptions): Promise<Branch> {
    return itemOf(await this._post(`${base(conversationId)}/fork`, data, options), 'branch');
  }

  async update(
    conversationId: string,
    branchId: string,
    data: UpdateBranchRequest | Partial<Branch>,
    options?: RequestOptions,
  ): Promise<Branch> {
    return itemOf(await this._patch(`${base(conversationId)}/branches/${seg(branchId)}`, data, options), 'branch');
  }

  /** Delete a branch (never the main one). */
  async delete(conversationId: string, branchId: string, options?: RequestOptions): Promise<void> {
    await this._delete(`${base(conversationId)}/branches/${seg(branchId)}`, options);
  }

  /** The branch's path: inherited context up to the fork point, then its own messages. */
  async getMessages(conversationId: string, branchId: string, options?: RequestOptions): Promise<Message[]> {
    return itemsOf(
      await this._get(`${base(conversationId)}/branches/${seg(branchId)}/messages`, undefined, options),
      'messages',
    );
  }

  /** Send on a branch; the same answer as `messages.send`. */
  async sendMessage(
    conversationId: string,
    branchId: string,
    data: SendMessageRequest,
    options?: RequestOptions,
  ): Promise<SendMessageResponse> {
    return dataOf(await this._post(`${base(conversationId)}/branches/${seg(branchId)}/messages`, data, options));
  }

  /** Send on a branch and stream the reply, in either form of `messages.stream`. */
  stream(
    conversationId: string,
    branchId: string,
    data: SendMessageRequest,
    onChunk: OnChunk,
    onComplete?: OnComplete,
    options?: RequestOptions,
  ): Promise<void>;
  stream(conversationId: string, branchId: string, data: SendMessageRequest, options?: RequestOptions): MessageStream;
  stream(
    conversationId: string,
    branchId: string,
    data: SendMessageRequest,
    onChunkOrOptions?: OnChunk | RequestOptions,
    onComplete?: OnComplete,
    options?: RequestOptions,
  ): MessageStream | Promise<void> {
    const path = streamPath(conversationId, branchId);
    return startStream(this.transport, conversationId, path, data, onChunkOrOptions, onComplete, options);
  }

  /**
   * Merge a branch into its parent; answers the parent branch (`mergeDetailed` answers
   * everything). `strategy`: `append` (default), `replace`, or `cherry-pick` (`messageIds`).
   */
  async merge(conversationId: string, branchId: string, data: MergeRequest = {}, options?: RequestOptions): Promise<Branch> {
    return (await this.mergeDetailed(conversationId, branchId, data, options)).branch;
  }

  /** `merge`, answering `{branch, messages, mergedBranch, strategy, preservedBranch}`. */
  async mergeDetailed(
    conversationId: string,
    branchId: string,
    data: MergeRequest = {},
    options?: RequestOptions,
  ): Promise<MergeResult> {
    const path = `${base(conversationId)}/branches/${seg(branchId)}/merge`;
    return dataOf(await this._post(path, data, options));
  }

  /**
   * The next send on a branch (or, with `forkPointMessageId`, the first send of a branch
   * forked there) counted and priced before it is made; nothing is sent.
   */
  async preview(
    conversationId: string,
    branchId: string,
    params: PreviewParams = {},
    options?: RequestOptions,
  ): Promise<SendPreview> {
    const path = `${base(conversationId)}/branches/${seg(branchId)}/preview`;
    return dataOf(await this._get(path, { ...params }, options));
  }
}
