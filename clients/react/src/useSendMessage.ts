import { useCallback, useEffect, useRef, useState } from 'react';
import type { Message, SendMessageRequest, UsageStats } from '@chatroutes/sdk';
import { askServerToStop, cacheFor, streamReply } from '@chatroutes/sdk/bindings';
import { useChatRoutesClient } from './context';
import type { BranchScopedOptions } from './hooks';

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

export interface SendMessage extends SendState {
  readonly isStreaming: boolean;
  /**
   * Send `input` and stream the reply into this state. Resolves with the stored reply, or
   * undefined when it was stopped or failed (the error is in `error`); never rejects.
   */
  send(input: string | SendMessageRequest): Promise<Message | undefined>;
  /**
   * Stop the reply: status turns `stopped` at once, the stream ends and the server is asked to
   * stop generating (the text so far is kept as the reply). Called before the reply's first
   * words, it waits for them: they carry the reply's id, which the server's stop needs.
   */
  stop(): Promise<void>;
  /** Back to idle, forgetting the last reply. */
  reset(): void;
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
  readonly controller: AbortController;
  replyId: string | undefined;
  stopRequested: boolean;
  /** Wakes a stop() waiting for the stream to name its reply (or to end without one). */
  wakeStop?: () => void;
}

/**
 * Send messages to a conversation (its main branch, or `branchId`) with the reply streamed
 * live. When a reply ends, the conversation's messages, tree, branches and usage refetch.
 * Unmounting aborts a stream in flight and updates nothing afterwards.
 */
export function useSendMessage(
  conversationId: string | null | undefined,
  options: BranchScopedOptions = {},
): SendMessage {
  const client = useChatRoutesClient(options.client);
  const { branchId } = options;
  const [state, setState] = useState<SendState>(IDLE);
  const run = useRef<Run | null>(null);
  const mounted = useRef(true);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      run.current?.controller.abort();
      run.current = null;
    };
  }, []);

  const update = useCallback((current: Run, change: Partial<SendState>) => {
    if (mounted.current && run.current === current) setState((s) => ({ ...s, ...change }));
  }, []);

  const send = useCallback(
    async (input: string | SendMessageRequest): Promise<Message | undefined> => {
      if (!conversationId) {
        if (mounted.current) setState({ ...IDLE, status: 'error', error: new Error(NO_ID) });
        return undefined;
      }
      run.current?.controller.abort();
      const current: Run = {
        controller: new AbortController(),
        replyId: undefined,
        stopRequested: false,
      };
      run.current = current;
      const request: SendMessageRequest =
        typeof input === 'string' ? { content: input } : { ...input };
      if (branchId !== undefined && request.branchId === undefined) request.branchId = branchId;
      if (mounted.current) setState({ ...IDLE, status: 'streaming' });
      let text = '';
      try {
        const done = await streamReply(client, conversationId, request, {
          signal: current.controller.signal,
          onReplyId: (id) => {
            current.replyId = id;
            current.wakeStop?.();
          },
          onText: (delta) => {
            text += delta;
            if (!current.stopRequested) update(current, { text });
          },
        });
        if (current.controller.signal.aborted) return undefined;
        update(current, {
          status: 'complete',
          text: done.message.content,
          message: done.message,
          usage: done.usage,
          model: done.model,
        });
        return done.message;
      } catch (error) {
        if (!current.controller.signal.aborted) {
          update(current, {
            status: 'error',
            error: error instanceof Error ? error : new Error(String(error)),
          });
        }
        return undefined;
      } finally {
        current.wakeStop?.();
        if (run.current === current && !current.controller.signal.aborted) run.current = null;
        void cacheFor(client).invalidateConversation(conversationId);
      }
    },
    [client, conversationId, branchId, update],
  );

  const stop = useCallback(async (): Promise<void> => {
    const current = run.current;
    if (!current || !conversationId || current.stopRequested) return;
    if (current.controller.signal.aborted) return;
    current.stopRequested = true;
    update(current, { status: 'stopped' });
    if (current.replyId === undefined) {
      await new Promise<void>((wake) => {
        current.wakeStop = wake;
      });
    }
    current.controller.abort();
    if (current.replyId === undefined) return;
    try {
      const stored = await askServerToStop(client, conversationId, current.replyId);
      update(current, { message: stored, text: stored.content });
    } catch (error) {
      update(current, { error: error instanceof Error ? error : new Error(String(error)) });
    } finally {
      void cacheFor(client).invalidateConversation(conversationId);
    }
  }, [client, conversationId, update]);

  const reset = useCallback(() => {
    run.current?.controller.abort();
    run.current = null;
    if (mounted.current) setState(IDLE);
  }, []);

  return { ...state, isStreaming: state.status === 'streaming', send, stop, reset };
}
