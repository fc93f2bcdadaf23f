/**
 * A streamed reply: `for await (const chunk of stream)` yields each event (`content` deltas,
 * then `complete`); an `error` event throws `StreamError`. The request is sent on first
 * use; `abort()` (or the call's `signal`) ends it. `finalMessage()` reads to the end.
 */

import { NetworkError, StreamError } from './errors';
import { readServerSentEvents } from './sse';
import type { Call, OpenResponse, Transport } from './http';
import type { Message, SendMessageResponse, StreamChunk } from './types';

export type OnChunk = (chunk: StreamChunk) => void;
export type OnComplete = (response: SendMessageResponse) => void;

/** The `complete` event as the official SDK's `onComplete` receives it. */
export function completeResponse(chunk: StreamChunk): SendMessageResponse | undefined {
  if (chunk.type !== 'complete' || !chunk.message || !chunk.usage || !chunk.model) return undefined;
  const { type: _type, content: _content, ...rest } = chunk;
  return rest as SendMessageResponse;
}

export class MessageStream<T extends StreamChunk = StreamChunk> implements AsyncIterable<T> {
  private readonly controller = new AbortController();
  private started = false;
  private completed: SendMessageResponse | undefined;
  private lastEventId: string | undefined;
  /** The reply text received so far. */
  text = '';

  constructor(
    private readonly transport: Transport,
    private readonly call: Call,
  ) {
    const user = call.options?.signal;
    if (user?.aborted) this.controller.abort(user.reason);
    else user?.addEventListener('abort', () => this.controller.abort(user.reason), { once: true });
  }

  /** The id of the reply being generated (for `messages.stop`), once its first event came. */
  get messageId(): string | undefined {
    return this.lastEventId?.split(':')[0];
  }

  /** The last SSE event id (`<messageId>:<offset>`), to resume a cut stream. */
  get lastId(): string | undefined {
    return this.lastEventId;
  }

  /** The `complete` event's `{message, usage, model, ...}`, once it arrived. */
  get completion(): SendMessageResponse | undefined {
    return this.completed;
  }

  /** End the request; iteration stops with an `AbortError`. */
  abort(reason?: unknown): void {
    this.controller.abort(reason);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.started) throw new Error('A MessageStream can be read once');
    this.started = true;
    const call: Call = {
      ...this.call,
      accept: 'text/event-stream',
      options: { ...this.call.options, signal: this.controller.signal },
    };
    let open: OpenResponse;
    open = await this.transport.open(call);
    const body = open.response.body;
    try {
      if (!body) throw new NetworkError('No response stream available');
      for await (const event of readServerSentEvents(body)) {
        if (event.id !== undefined) this.lastEventId = event.id;
        if (event.data === '[DONE]') return;
        let chunk: T;
        try {
          chunk = JSON.parse(event.data) as T;
        } catch {
          continue; // an undecodable event is skipped, as the official SDK does
        }
        if (chunk.type === 'error') {
          throw new StreamError(chunk.message || chunk.error || 'The stream failed', chunk.error, chunk);
        }
        if (chunk.type === 'content' && chunk.content) this.text += chunk.content;
        if (chunk.type === 'complete') this.completed = completeResponse(chunk) ?? (chunk as any);
        yield chunk;
      }
    } catch (error) {
      throw this.transport.failure(error, call, false);
    } finally {
      open.release();
    }
  }

  /** Read the stream to its end; resolve with the stored reply. */
  async finalMessage(): Promise<Message> {
    return (await this.done()).message;
  }

  /** Read the stream to its end; resolve with the `complete` event's `{message, usage, model}`. */
  async done(): Promise<SendMessageResponse> {
    if (!this.started) for await (const _chunk of this);
    if (!this.completed) throw new StreamError('The stream ended without its complete event');
    return this.completed;
  }

  /** Read the stream calling `onChunk` per event and `onComplete` with the complete event. */
  async consume(onChunk?: OnChunk, onComplete?: OnComplete): Promise<void> {
    for await (const chunk of this) {
      onChunk?.(chunk);
      const complete = completeResponse(chunk);
      if (complete) onComplete?.(complete);
    }
  }
}
