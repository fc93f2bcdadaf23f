import type { RequestOptions, Transport } from '../http';
import { MessageStream, type OnChunk, type OnComplete } from '../stream';
import type { Message, SendMessageRequest, SendMessageResponse, StopResponse } from '../types';
import { Resource, dataOf, itemOf, itemsOf, seg } from './base';

export function streamPath(conversationId: string, branchId?: string): string {
  const base = `/conversations/${seg(conversationId)}`;
  return branchId ? `${base}/branches/${seg(branchId)}/messages/stream` : `${base}/messages/stream`;
}

/** The official `stream(id, data, onChunk, onComplete?)` form, or ours `stream(id, data, options?)`. */
export function startStream(
  transport: Transport,
  path: string,
  data: SendMessageRequest,
  onChunkOrOptions: OnChunk | RequestOptions | undefined,
  onComplete: OnComplete | undefined,
  options: RequestOptions | undefined,
): MessageStream | Promise<void> {
  if (typeof onChunkOrOptions === 'function' || typeof onComplete === 'function') {
    const onChunk = typeof onChunkOrOptions === 'function' ? onChunkOrOptions : undefined;
    return new MessageStream(transport, { method: 'POST', path, body: data, options }).consume(onChunk, onComplete);
  }
  const opts = (onChunkOrOptions as RequestOptions | undefined) ?? options;
  return new MessageStream(transport, { method: 'POST', path, body: data, options: opts });
}

/** `client.messages`: send (plain or streamed), stop, list, edit, delete. */
export class MessagesAPI extends Resource {
  /** Send a user message and wait for the reply: `{message (the reply), userMessage,
   * assistantMessage, usage, model}`. */
  async send(conversationId: string, data: SendMessageRequest, options?: RequestOptions): Promise<SendMessageResponse> {
    return dataOf(await this._post(`/conversations/${seg(conversationId)}/messages`, data, options));
  }

  /**
   * Send a user message and stream the reply.
   *
   * With callbacks (the official SDK's form) it resolves once the stream is read:
   * `onChunk` gets every event, `onComplete` the `{message, usage, model}` of the end.
   * Without, it returns a `MessageStream` to read with `for await`.
   */
  stream(
    conversationId: string,
    data: SendMessageRequest,
    onChunk: OnChunk,
    onComplete?: OnComplete,
    options?: RequestOptions,
  ): Promise<void>;
  stream(conversationId: string, data: SendMessageRequest, options?: RequestOptions): MessageStream;
  stream(
    conversationId: string,
    data: SendMessageRequest,
    onChunkOrOptions?: OnChunk | RequestOptions,
    onComplete?: OnComplete,
    options?: RequestOptions,
  ): MessageStream | Promise<void> {
    return startStream(this.transport, streamPath(conversationId), data, onChunkOrOptions, onComplete, options);
  }

  /** End a reply being generated (its id: `MessageStream.messageId`); the text so far is kept. */
  async stop(conversationId: string, messageId: string, options?: RequestOptions): Promise<StopResponse> {
    return dataOf(
      await this._post(`/conversations/${seg(conversationId)}/messages/${seg(messageId)}/stop`, undefined, options),
    );
  }

  /** The main branch's messages, or `branchId`'s. */
  async list(conversationId: string, branchId?: string, options?: RequestOptions): Promise<Message[]> {
    return itemsOf(await this._get(`/conversations/${seg(conversationId)}/messages`, { branchId }, options), 'messages');
  }

  async update(messageId: string, content: string, options?: RequestOptions): Promise<Message> {
    return itemOf(await this._patch(`/messages/${seg(messageId)}`, { content }, options), 'message');
  }

  async delete(messageId: string, options?: RequestOptions): Promise<void> {
    await this._delete(`/messages/${seg(messageId)}`, options);
  }
}
