import type { RequestOptions, Transport } from '../http';
import { MessageStream, type OnChunk, type OnComplete } from '../stream';
import type { Message, MessageContextFlags, SendMessageRequest, SendMessageResponse, StopResponse } from '../types';
import { Resource, dataOf, itemOf, itemsOf, seg } from './base';

/** Where a reply of a conversation is read again (resumed). */
export function replyStreamPath(conversationId: string): (messageId: string) => string {
  return (messageId) => `/conversations/${seg(conversationId)}/messages/${seg(messageId)}/stream`;
}

export function streamPath(conversationId: string, branchId?: string): string {
  const base = `/conversations/${seg(conversationId)}`;
  return branchId ? `${base}/branches/${seg(branchId)}/messages/stream` : `${base}/messages/stream`;
}

/** The official `stream(id, data, onChunk, onComplete?)` form, or ours `stream(id, data, options?)`. */
export function startStream(
  transport: Transport,
  conversationId: string,
  path: string,
  data: SendMessageRequest,
  onChunkOrOptions: OnChunk | RequestOptions | undefined,
  onComplete: OnComplete | undefined,
  options: RequestOptions | undefined,
): MessageStream | Promise<void> {
  const settings = { resumePath: replyStreamPath(conversationId) };
  if (typeof onChunkOrOptions === 'function' || typeof onComplete === 'function') {
    const onChunk = typeof onChunkOrOptions === 'function' ? onChunkOrOptions : undefined;
    const stream = new MessageStream(transport, { method: 'POST', path, body: data, options }, settings);
    return stream.consume(onChunk, onComplete);
  }
  const opts = (onChunkOrOptions as RequestOptions | undefined) ?? options;
  return new MessageStream(transport, { method: 'POST', path, body: data, options: opts }, settings);
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
    return startStream(this.transport, conversationId, streamPath(conversationId), data, onChunkOrOptions, onComplete, options);
  }

  /** End a reply being generated (its id: `MessageStream.messageId`); the text so far is kept. */
  async stop(conversationId: string, messageId: string, options?: RequestOptions): Promise<StopResponse> {
    return dataOf(
      await this._post(`/conversations/${seg(conversationId)}/messages/${seg(messageId)}/stop`, undefined, options),
    );
  }

  /**
   * Read a reply again as a stream, from where a cut stream left off: `lastEventId` (the
   * cut stream's `lastId`) or a character `offset`. Live while it is still generating,
   * else as stored; the events are those of `stream`.
   */
  resume(
    conversationId: string,
    messageId: string,
    from: { lastEventId?: string; offset?: number } = {},
    options?: RequestOptions,
  ): MessageStream {
    const headers = from.lastEventId ? { ...options?.headers, 'Last-Event-ID': from.lastEventId } : options?.headers;
    const resumePath = replyStreamPath(conversationId);
    return new MessageStream(
      this.transport,
      {
        method: 'GET',
        path: resumePath(messageId),
        query: from.lastEventId ? undefined : { offset: from.offset },
        options: { ...options, headers },
      },
      { resumePath },
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

  /**
   * Pin a message (always in the context of the sends after it, even under a checkpoint or
   * over the context window) or exclude it (never sent to a model). A message is never
   * both: `ValidationError`.
   */
  async setContext(messageId: string, flags: MessageContextFlags, options?: RequestOptions): Promise<Message> {
    return itemOf(await this._patch(`/messages/${seg(messageId)}/context`, flags, options), 'message');
  }
}
