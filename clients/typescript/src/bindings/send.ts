/**
 * The state of sending messages with the reply streamed live, for one component: what a
 * binding's `useSendMessage` shows. A new send aborts the one before; a stop ends the stream
 * and asks the server to stop generating; when a reply ends, its conversation's cache entries
 * refetch. When the last subscriber leaves (unmount, disposed scope) a stream in flight is
 * aborted and nothing updates afterwards.
 */
import type { ChatRoutesClient } from '../client';
import type { Message, SendMessageRequest, UsageStats } from '../types';
import { cacheFor } from './cache';
import { askServerToStop, streamReply } from './stream';

export type SendStatus = 'idle' | 'streaming' | 'complete' | 'stopped' | 'error';

export interface SendState {
  /** `streaming` from the send until the reply is stored, stopped or failed. */
  readonly status: SendStatus;
  /** The reply's text so far; the whole text once complete. */
  readonly text: string;
  /** The stored assistant message, once complete (or as stored when stopped). */
  readonly message: Message | undefined;
  readonly usage: UsageStats | undefined;
  readonly model: string | undefined;
  readonly error: Error | undefined;
}

const IDLE: SendState = {
  status: 'idle',
  text: '',
  message: undefined,
  usage: undefined,
  model: undefined,
  error: undefined,
};

const NO_ID = 'useSendMessage: no conversation id to send to';

interface Run {
  readonly client: ChatRoutesClient;
  readonly conversationId: string;
  readonly controller: AbortController;
  replyId: string | undefined;
  stopRequested: boolean;
  /** Wakes a stop() waiting for the stream to name its reply (or to end without one). */
  wakeStop?: () => void;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

export class SendSession {
  private state: SendState = IDLE;
  private run: Run | null = null;
  private readonly listeners = new Set<(state: SendState) => void>();

  /** The current state; a new object whenever it changes. */
  readonly snapshot = (): SendState => this.state;

  /** `listener` runs on every change; the returned function stops it (the last one aborts). */
  readonly subscribe = (listener: (state: SendState) => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.abort();
    };
  };

  /**
   * Send `input` to `conversationId` (on `branchId` unless the request names one) and stream
   * the reply into the state. Resolves with the stored reply, or undefined when it was stopped
   * or failed (the error is in the state); never rejects.
   */
  async send(
    client: ChatRoutesClient,
    conversationId: string | null | undefined,
    input: string | SendMessageRequest,
    branchId?: string | null,
  ): Promise<Message | undefined> {
    this.abort();
    if (!conversationId) {
      this.set({ ...IDLE, status: 'error', error: new Error(NO_ID) });
      return undefined;
    }
    const run: Run = {
      client,
      conversationId,
      controller: new AbortController(),
      replyId: undefined,
      stopRequested: false,
    };
    this.run = run;
    const request: SendMessageRequest =
      typeof input === 'string' ? { content: input } : { ...input };
    if (branchId && request.branchId === undefined) request.branchId = branchId;
    this.set({ ...IDLE, status: 'streaming' });
    let text = '';
    try {
      const done = await streamReply(client, conversationId, request, {
        signal: run.controller.signal,
        onReplyId: (id) => {
          run.replyId = id;
          run.wakeStop?.();
        },
        onText: (delta) => {
          text += delta;
          if (!run.stopRequested) this.update(run, { text });
        },
      });
      if (run.controller.signal.aborted) return undefined;
      this.update(run, {
        status: 'complete',
        text: done.message.content,
        message: done.message,
        usage: done.usage,
        model: done.model,
      });
      return done.message;
    } catch (error) {
      if (!run.controller.signal.aborted) this.update(run, { status: 'error', error: asError(error) });
      return undefined;
    } finally {
      run.wakeStop?.();
      if (this.run === run && !run.controller.signal.aborted) this.run = null;
      void cacheFor(client).invalidateConversation(conversationId);
    }
  }

  /**
   * Stop the reply: status turns `stopped` at once, the stream ends and the server is asked to
   * stop generating (the text so far is kept as the reply). Called before the reply's first
   * words, it waits for them: they carry the reply's id, which the server's stop needs.
   */
  async stop(): Promise<void> {
    const run = this.run;
    if (!run || run.stopRequested || run.controller.signal.aborted) return;
    run.stopRequested = true;
    this.update(run, { status: 'stopped' });
    if (run.replyId === undefined) {
      await new Promise<void>((wake) => {
        run.wakeStop = wake;
      });
    }
    run.controller.abort();
    if (run.replyId === undefined) return;
    try {
      const stored = await askServerToStop(run.client, run.conversationId, run.replyId);
      this.update(run, { message: stored, text: stored.content });
    } catch (error) {
      this.update(run, { error: asError(error) });
    } finally {
      void cacheFor(run.client).invalidateConversation(run.conversationId);
    }
  }

  /** Back to idle, forgetting the last reply (a stream in flight is aborted). */
  reset(): void {
    this.abort();
    this.set(IDLE);
  }

  /** Abort the stream in flight, if any; nothing of it updates the state afterwards. */
  private abort(): void {
    this.run?.controller.abort();
    this.run = null;
  }

  private update(run: Run, change: Partial<SendState>): void {
    if (this.run === run) this.set({ ...this.state, ...change });
  }

  private set(state: SendState): void {
    this.state = state;
    for (const listener of [...this.listeners]) listener(state);
  }
}
