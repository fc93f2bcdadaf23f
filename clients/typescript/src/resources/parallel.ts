import type { RequestOptions, Transport } from '../http';
import { MessageStream } from '../stream';
import type { ParallelResponseRequest, ParallelResponseSession, ParallelStreamEvent } from '../types';
import { Resource, dataOf, seg } from './base';

/**
 * Candidates streamed side by side: a `session` event first, every candidate's `content`,
 * `complete` or `error` event (each with its `candidateId`) as it comes, and the final
 * `session` last. An error of one candidate does not end the stream.
 */
export class ParallelResponseStream implements AsyncIterable<ParallelStreamEvent> {
  private readonly events: MessageStream<ParallelStreamEvent>;
  /** The session as last announced (complete after the stream ended). */
  session: ParallelResponseSession | undefined;
  /** Each candidate's text so far, by candidate id. */
  readonly texts: Record<string, string> = {};

  constructor(transport: Transport, conversationId: string, data: ParallelResponseRequest, options?: RequestOptions) {
    const path = `/conversations/${seg(conversationId)}/parallel-responses/stream`;
    this.events = new MessageStream(transport, { method: 'POST', path, body: data, options }, { failOnError: false });
  }

  abort(reason?: unknown): void {
    this.events.abort(reason);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ParallelStreamEvent> {
    for await (const event of this.events) {
      if (event.type === 'session' && event.session) this.session = event.session;
      if (event.type === 'content' && event.candidateId) {
        this.texts[event.candidateId] = (this.texts[event.candidateId] ?? '') + (event.content ?? '');
      }
      yield event;
    }
  }

  /** Read to the end; resolve with the final session (every candidate finished). */
  async finalSession(): Promise<ParallelResponseSession> {
    for await (const _event of this);
    if (!this.session) throw new Error('The stream ended without a session event');
    return this.session;
  }
}

function sessionOf(body: unknown): ParallelResponseSession {
  const data = dataOf<any>(body);
  return (data && typeof data.session === 'object' ? data.session : data) as ParallelResponseSession;
}

/** `client.parallelResponses`: several candidate replies to one prompt; keep one. */
export class ParallelResponsesAPI extends Resource {
  /** Generate candidates (one per model of `models`, or `count` of the conversation's model);
   * resolves once all are done. None is stored on the branch until `choose`. */
  async create(conversationId: string, data: ParallelResponseRequest, options?: RequestOptions): Promise<ParallelResponseSession> {
    return sessionOf(await this._post(`/conversations/${seg(conversationId)}/parallel-responses`, data, options));
  }

  /** `create`, streamed: the candidates' text as it is generated. */
  stream(conversationId: string, data: ParallelResponseRequest, options?: RequestOptions): ParallelResponseStream {
    return new ParallelResponseStream(this.transport, conversationId, data, options);
  }

  async get(sessionId: string, options?: RequestOptions): Promise<ParallelResponseSession> {
    return sessionOf(await this._get(`/response-sessions/${seg(sessionId)}`, undefined, options));
  }

  /** Store `candidateId` as the reply; the session then has `message` and `branch`. */
  async choose(sessionId: string, candidateId: string, options?: RequestOptions): Promise<ParallelResponseSession> {
    return sessionOf(await this._post(`/response-sessions/${seg(sessionId)}/choose`, { candidateId }, options));
  }
}
