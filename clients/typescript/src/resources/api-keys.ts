import type { RequestOptions } from '../http';
import type { ApiKey, NewApiKey } from '../types';
import { Resource, itemOf, itemsOf, seg } from './base';

/** `client.apiKeys`: the account's API keys. */
export class ApiKeysAPI extends Resource {
  async list(options?: RequestOptions): Promise<ApiKey[]> {
    return itemsOf(await this._get('/api-keys', undefined, options), 'apiKeys');
  }

  /** A new key; its secret (`key`) is in this answer only. */
  async create(data: { name?: string } = {}, options?: RequestOptions): Promise<NewApiKey> {
    return itemOf(await this._post('/api-keys', data, options), 'apiKey');
  }

  /** Revoke a key: requests made with it are refused from now on. */
  async revoke(keyId: string, options?: RequestOptions): Promise<void> {
    await this._delete(`/api-keys/${seg(keyId)}`, options);
  }

  /** `revoke`. */
  delete(keyId: string, options?: RequestOptions): Promise<void> {
    return this.revoke(keyId, options);
  }
}
