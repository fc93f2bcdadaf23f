import type { RequestOptions } from '../http';
import type { Checkpoint, CreateCheckpointRequest, RecreateResult } from '../types';
import { Resource, dataOf, itemOf, itemsOf, seg } from './base';

/** `client.checkpoints`: summaries of a branch up to a message, and branches rebuilt from them. */
export class CheckpointsAPI extends Resource {
  /** A conversation's checkpoints (of one branch with `branchId`). */
  async list(conversationId: string, branchId?: string, options?: RequestOptions): Promise<Checkpoint[]> {
    const path = `/conversations/${seg(conversationId)}/checkpoints`;
    return itemsOf(await this._get(path, { branchId }, options), 'checkpoints');
  }

  /**
   * Summarize `branchId` up to `anchorMessageId`: `create(conversationId, {branchId,
   * anchorMessageId})`, or `create(conversationId, branchId, anchorMessageId)` as the
   * Python SDK has it.
   */
  create(conversationId: string, data: CreateCheckpointRequest, options?: RequestOptions): Promise<Checkpoint>;
  create(conversationId: string, branchId: string, anchorMessageId: string, options?: RequestOptions): Promise<Checkpoint>;
  async create(
    conversationId: string,
    dataOrBranchId: CreateCheckpointRequest | string,
    anchorOrOptions?: string | RequestOptions,
    options?: RequestOptions,
  ): Promise<Checkpoint> {
    const body =
      typeof dataOrBranchId === 'string'
        ? { branchId: dataOrBranchId, anchorMessageId: anchorOrOptions as string }
        : dataOrBranchId;
    const opts = typeof anchorOrOptions === 'string' ? options : anchorOrOptions;
    const path = `/conversations/${seg(conversationId)}/checkpoints`;
    return itemOf(await this._post(path, body, opts), 'checkpoint');
  }

  async delete(checkpointId: string, options?: RequestOptions): Promise<void> {
    await this._delete(`/checkpoints/${seg(checkpointId)}`, options);
  }

  /** A new branch that starts from the checkpoint's summary: `{checkpoint, branch, messages}`. */
  async recreate(checkpointId: string, options?: RequestOptions): Promise<RecreateResult> {
    return dataOf(await this._post(`/checkpoints/${seg(checkpointId)}/recreate`, undefined, options));
  }
}
