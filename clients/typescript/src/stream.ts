/**
 * A streamed reply: `for await (const chunk of stream)` yields each event (`content` deltas,
 * then `complete`); an `error` event throws `StreamError`. The request is sent on first
 * use; `abort()` (or the call's `signal`) ends it. `finalMessage()` reads to the end.
 * A connection that breaks mid-reply is resumed where it stopped (`Last-Event-ID`), up to
 * `retryAttempts` times: the events continue without a gap or a repeat.
 */

import { NetworkError, StreamError } from './errors';
import { readServerSentEvents } from './sse';
import type { Call, OpenResponse, Transport } from './http';
import type { BudgetWarning, Message, SendMessageResponse, StreamChunk } from './types';

export type OnChunk = (chunk: StreamChunk) => void;

export interface StreamSettings {
  /** Throw `StreamError` on an `error` event (default; a parallel stream's belong to one candidate). */
  failOnError?: boolean;
  /** Where the rest of a reply is read after a broken connection (`Last-Event-ID`). */
  resumePath?: (messageId: string) => string;
}
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
  /** The branch's or conversation's budget this reply brought to its `warnAt`, if it did. */
  budgetWarning: BudgetWarning | undefined;

  constructor(
    private readonly transport: Transport,
    private readonly call: Call,
    private readonly settings: StreamSettings = {},
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
    let call: Call = {
      ...this.call,
      accept: 'text/event-stream',
      options: { ...this.call.options, signal: this.controller.signal },
    };
    for (let resumes = 0; ; resumes++) {
      const open: OpenResponse = await this.transport.open(call);
      let failure: unknown;
      try {
        if (!open.response.body) throw new NetworkError('No response stream available');
        const finished = yield* this.events(open.response.body);
        if (finished || this.completed) return;
        failure = new NetworkError('The stream ended before its last event');
      } catch (error) {
        failure = this.transport.failure(error, call, false);
      } finally {
        open.release();
      }
      const next = this.resumeCall(failure, call, resumes);
      if (!next) throw failure;
      call = next;
    }
  }

  /** Yield a body's events; true once `[DONE]` came. */
  private async *events(body: ReadableStream<Uint8Array>): AsyncGenerator<T, boolean, undefined> {
    for await (const event of readServerSentEvents(body)) {
      if (event.id !== undefined) this.lastEventId = event.id;
      if (event.data === '[DONE]') return true;
      let chunk: T;
      try {
        chunk = JSON.parse(event.data) as T;
      } catch {
        continue; // an undecodable event is skipped, as the official SDK does
      }
      if (chunk.type === 'error' && this.settings.failOnError !== false) {
        throw new StreamError(chunk.message || chunk.error || 'The stream failed', chunk.error, chunk);
      }
      if (chunk.type === 'content' && chunk.content && chunk.candidateId === undefined) this.text += chunk.content;
      if (chunk.type === 'status' && chunk.status === 'budget_warning') this.budgetWarning = chunk.budgetWarning;
      if (chunk.type === 'complete') this.completed = completeResponse(chunk) ?? (chunk as any);
      yield chunk;
    }
    return false;
  }

  /**
   * After the connection broke mid-stream: the call that reads the rest of the reply
   * (`Last-Event-ID`), or undefined when this cannot or should not be resumed.
   */
  private resumeCall(failure: unknown, call: Call, resumes: number): Call | undefined {
    const { resumePath } = this.settings;
    const messageId = this.messageId;
    const allowed = call.options?.retryAttempts ?? this.transport.config.retryAttempts;
    const broken = failure instanceof NetworkError && !(failure instanceof StreamError);
    if (!broken || !resumePath || !messageId || resumes >= allowed || this.controller.signal.aborted) return undefined;
    const headers = { ...call.options?.headers, 'Last-Event-ID': this.lastEventId! };
    return { method: 'GET', path: resumePath(messageId), accept: call.accept, options: { ...call.options, headers } };
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
