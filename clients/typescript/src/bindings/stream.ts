import type { ChatRoutesClient } from '../client';
import type { Message, SendMessageRequest, SendMessageResponse } from '../types';

export interface StreamHandlers {
  signal: AbortSignal;
  /** The id of the reply being generated, once the stream names it. */
  onReplyId(id: string): void;
  /** Each piece of the reply's text, as it arrives. */
  onText(delta: string): void;
}

/** Stream the reply to `request`; resolves with the `complete` event's message, usage, model. */
export async function streamReply(
  client: ChatRoutesClient,
  conversationId: string,
  request: SendMessageRequest,
  handlers: StreamHandlers,
): Promise<SendMessageResponse> {
  const stream = client.messages.stream(conversationId, request, { signal: handlers.signal });
  let replyId: string | undefined;
  for await (const chunk of stream) {
    if (stream.messageId !== undefined && stream.messageId !== replyId) {
      replyId = stream.messageId;
      handlers.onReplyId(replyId);
    }
    if (chunk.type === 'content' && chunk.content) handlers.onText(chunk.content);
  }
  return stream.done();
}

/** Ask the server to end reply `replyId`; resolves with the reply as stored. */
export async function askServerToStop(
  client: ChatRoutesClient,
  conversationId: string,
  replyId: string,
): Promise<Message> {
  return (await client.messages.stop(conversationId, replyId)).message;
}
