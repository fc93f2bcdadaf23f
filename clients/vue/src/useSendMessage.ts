import { computed, getCurrentScope, onScopeDispose, shallowRef, toValue, type ComputedRef, type Ref } from 'vue';
import type { Message, SendMessageRequest, UsageStats } from '@chatroutes/sdk';
import { askServerToStop, cacheFor, streamReply } from '@chatroutes/sdk/bindings';
import type { BranchScopedOptions, ConversationIdSource } from './composables';
import { useChatRoutesClient } from './plugin';

export type SendStatus = 'idle' | 'streaming' | 'complete' | 'stopped' | 'error';

export interface SendMessage {
  /** `streaming` from the send until the reply is stored, stopped or failed. */
  readonly status: Ref<SendStatus>;
  /** The reply's text so far; the whole text once complete. */
  readonly text: Ref<string>;
  /** The stored assistant message, once complete (or as stored when stopped). */
  readonly message: Ref<Message | undefined>;
  readonly usage: Ref<UsageStats | undefined>;
  readonly model: Ref<string | undefined>;
  readonly error: Ref<Error | undefined>;
  readonly isStreaming: ComputedRef<boolean>;
  /**
   * Send `input` and stream the reply into these refs. Resolves with the stored reply, or
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

interface Run {
  readonly controller: AbortController;
  replyId: string | undefined;
  stopRequested: boolean;
  /** Wakes a stop() waiting for the stream to name its reply (or to end without one). */
  wakeStop?: () => void;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Send messages to a conversation (its main branch, or `branchId`) with the reply streamed
 * live. When a reply ends, the conversation's messages, tree, branches and usage refetch.
 * Disposing the calling scope aborts a stream in flight and updates nothing afterwards.
 */
export function useSendMessage(
  conversationId: ConversationIdSource,
  options: BranchScopedOptions = {},
): SendMessage {
  const client = useChatRoutesClient(options.client);
  const status = shallowRef<SendStatus>('idle');
  const text = shallowRef('');
  const message = shallowRef<Message | undefined>(undefined);
  const usage = shallowRef<UsageStats | undefined>(undefined);
  const model = shallowRef<string | undefined>(undefined);
  const error = shallowRef<Error | undefined>(undefined);
  let run: Run | null = null;
  let disposed = false;

  const clear = () => {
    text.value = '';
    message.value = undefined;
    usage.value = undefined;
    model.value = undefined;
    error.value = undefined;
  };
  const live = (current: Run) => !disposed && run === current;

  const send = async (input: string | SendMessageRequest): Promise<Message | undefined> => {
    const id = toValue(conversationId);
    run?.controller.abort();
    run = null;
    clear();
    if (!id) {
      error.value = new Error('useSendMessage: no conversation id to send to');
      status.value = 'error';
      return undefined;
    }
    const current: Run = { controller: new AbortController(), replyId: undefined, stopRequested: false };
    run = current;
    const request: SendMessageRequest =
      typeof input === 'string' ? { content: input } : { ...input };
    const branchId = toValue(options.branchId);
    if (branchId && request.branchId === undefined) request.branchId = branchId;
    status.value = 'streaming';
    try {
      const done = await streamReply(client, id, request, {
        signal: current.controller.signal,
        onReplyId: (replyId) => {
          current.replyId = replyId;
          current.wakeStop?.();
        },
        onText: (delta) => {
          if (live(current) && !current.stopRequested) text.value += delta;
        },
      });
      if (current.controller.signal.aborted) return undefined;
      if (live(current)) {
        text.value = done.message.content;
        message.value = done.message;
        usage.value = done.usage;
        model.value = done.model;
        status.value = 'complete';
      }
      return done.message;
    } catch (caught) {
      if (!current.controller.signal.aborted && live(current)) {
        error.value = asError(caught);
        status.value = 'error';
      }
      return undefined;
    } finally {
      current.wakeStop?.();
      if (run === current && !current.controller.signal.aborted) run = null;
      void cacheFor(client).invalidateConversation(id);
    }
  };

  const stop = async (): Promise<void> => {
    const current = run;
    const id = toValue(conversationId);
    if (!current || !id || current.stopRequested || current.controller.signal.aborted) return;
    current.stopRequested = true;
    if (live(current)) status.value = 'stopped';
    if (current.replyId === undefined) {
      await new Promise<void>((wake) => {
        current.wakeStop = wake;
      });
    }
    current.controller.abort();
    if (current.replyId === undefined) return;
    try {
      const stored = await askServerToStop(client, id, current.replyId);
      if (live(current)) {
        message.value = stored;
        text.value = stored.content;
      }
    } catch (caught) {
      if (live(current)) error.value = asError(caught);
    } finally {
      void cacheFor(client).invalidateConversation(id);
    }
  };

  const reset = () => {
    run?.controller.abort();
    run = null;
    clear();
    status.value = 'idle';
  };

  if (getCurrentScope()) {
    onScopeDispose(() => {
      disposed = true;
      run?.controller.abort();
      run = null;
    });
  }

  return {
    status,
    text,
    message,
    usage,
    model,
    error,
    isStreaming: computed(() => status.value === 'streaming'),
    send,
    stop,
    reset,
  };
}
