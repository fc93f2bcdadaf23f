import type { RequestOptions } from '../http';
import type { ApplyAutoBranchRequest, HealthResponse, SuggestBranchesRequest, SuggestBranchesResponse } from '../types';
import { Resource, dataOf, seg } from './base';

/** `client.autobranch`: where a text could branch, and branches made from those points. */
export class AutoBranchAPI extends Resource {
  /** Points in `text` where a conversation could branch: `{suggestions, metadata}`. */
  async suggestBranches(data: SuggestBranchesRequest, options?: RequestOptions): Promise<SuggestBranchesResponse> {
    const body = { suggestionsCount: 3, hybridDetection: false, threshold: 0.7, ...data };
    return dataOf(await this._post('/autobranch/suggest-branches', body, options));
  }

  /** `suggestBranches` for a text, with its other settings as options. */
  analyzeText(
    text: string,
    settings: Omit<SuggestBranchesRequest, 'text'> = {},
    options?: RequestOptions,
  ): Promise<SuggestBranchesResponse> {
    return this.suggestBranches({ ...settings, text }, options);
  }

  async health(options?: RequestOptions): Promise<HealthResponse> {
    return dataOf(await this._get('/autobranch/health', undefined, options));
  }

  /** Branches from the suggestions for a message's text (`suggestions` as `suggestBranches`
   * returned them, those of `suggestionIds`, or all above `threshold`). */
  async apply(
    conversationId: string,
    messageId: string,
    data: ApplyAutoBranchRequest = {},
    options?: RequestOptions,
  ): Promise<any> {
    const path = `/conversations/${seg(conversationId)}/messages/${seg(messageId)}/autobranch`;
    return dataOf(await this._post(path, data, options));
  }
}
