import { useCallback, useState, useSyncExternalStore } from 'react';
import type { Message, SendMessageRequest } from '@chatroutes/sdk';
import { SendSession, type SendState } from '@chatroutes/sdk/bindings';
import { useChatRoutesClient } from './context';
import type { BranchScopedOptions } from './hooks';

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
  const [session] = useState(() => new SendSession());
  const state = useSyncExternalStore(session.subscribe, session.snapshot, session.snapshot);

  const send = useCallback(
    (input: string | SendMessageRequest) => session.send(client, conversationId, input, branchId),
    [session, client, conversationId, branchId],
  );
  const stop = useCallback(() => session.stop(), [session]);
  const reset = useCallback(() => session.reset(), [session]);

  return { ...state, isStreaming: state.status === 'streaming', send, stop, reset };
}
