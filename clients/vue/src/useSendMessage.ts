import { computed, getCurrentScope, onScopeDispose, shallowRef, toValue, type ComputedRef, type Ref } from 'vue';
import type { Message, SendMessageRequest, UsageStats } from '@chatroutes/sdk';
import { SendSession, type SendState, type SendStatus } from '@chatroutes/sdk/bindings';
import type { BranchScopedOptions, ConversationIdSource } from './composables';
import { useChatRoutesClient } from './plugin';

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
  const session = new SendSession();
  const initial = session.snapshot();
  const status = shallowRef<SendStatus>(initial.status);
  const text = shallowRef(initial.text);
  const message = shallowRef<Message | undefined>(initial.message);
  const usage = shallowRef<UsageStats | undefined>(initial.usage);
  const model = shallowRef<string | undefined>(initial.model);
  const error = shallowRef<Error | undefined>(initial.error);
  const unsubscribe = session.subscribe((state: SendState) => {
    status.value = state.status;
    text.value = state.text;
    message.value = state.message;
    usage.value = state.usage;
    model.value = state.model;
    error.value = state.error;
  });
  if (getCurrentScope()) onScopeDispose(unsubscribe);

  return {
    status,
    text,
    message,
    usage,
    model,
    error,
    isStreaming: computed(() => status.value === 'streaming'),
    send: (input) =>
      session.send(client, toValue(conversationId), input, toValue(options.branchId)),
    stop: () => session.stop(),
    reset: () => session.reset(),
  };
}
