import type { RequestOptions } from '../http';
import type { ParallelResponseRequest, ParallelResponseSession } from '../types';
import { Resource, dataOf, seg } from './base';

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

  async get(sessionId: string, options?: RequestOptions): Promise<ParallelResponseSession> {
    return sessionOf(await this._get(`/response-sessions/${seg(sessionId)}`, undefined, options));
  }

  /** Store `candidateId` as the reply; the session then has `message` and `branch`. */
  async choose(sessionId: string, candidateId: string, options?: RequestOptions): Promise<ParallelResponseSession> {
    return sessionOf(await this._post(`/response-sessions/${seg(sessionId)}/choose`, { candidateId }, options));
  }
}
