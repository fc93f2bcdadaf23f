import type { RequestOptions } from '../http';
import type {
  CreateWebhookRequest,
  DeliveryPage,
  UpdateWebhookRequest,
  Webhook,
  WebhookDelivery,
} from '../types';
import { Resource, dataOf, itemOf, itemsOf, seg } from './base';

const hook = (webhookId: string) => `/webhooks/${seg(webhookId)}`;

/** `client.webhooks`: signed event deliveries to your URLs, their log, redelivery. */
export class WebhooksAPI extends Resource {
  /** Subscribe a URL to events (`["*"]`: all); the answer's `secret` is shown only here. */
  async create(data: CreateWebhookRequest, options?: RequestOptions): Promise<Webhook> {
    return itemOf(await this._post('/webhooks', data, options), 'webhook');
  }

  async list(options?: RequestOptions): Promise<Webhook[]> {
    return itemsOf(await this._get('/webhooks', undefined, options), 'webhooks');
  }

  async get(webhookId: string, options?: RequestOptions): Promise<Webhook> {
    return itemOf(await this._get(hook(webhookId), undefined, options), 'webhook');
  }

  /** Change URL, events, description or `enabled` (re-enabling clears `disabledReason`). */
  async update(webhookId: string, data: UpdateWebhookRequest, options?: RequestOptions): Promise<Webhook> {
    return itemOf(await this._patch(hook(webhookId), data, options), 'webhook');
  }

  async delete(webhookId: string, options?: RequestOptions): Promise<void> {
    await this._delete(hook(webhookId), options);
  }

  /** A new signing secret (in the answer's `secret`); the old one stops working. */
  async rotateSecret(webhookId: string, options?: RequestOptions): Promise<Webhook> {
    return itemOf(await this._post(`${hook(webhookId)}/rotate-secret`, undefined, options), 'webhook');
  }

  /** Send a `webhook.test` event now; answers its delivery. */
  async test(webhookId: string, options?: RequestOptions): Promise<WebhookDelivery> {
    return itemOf(await this._post(`${hook(webhookId)}/test`, undefined, options), 'delivery');
  }

  /** One page of the delivery log, newest first: `{deliveries, nextCursor}`. */
  async listDeliveries(
    webhookId: string,
    params: { limit?: number; cursor?: string | null } = {},
    options?: RequestOptions,
  ): Promise<DeliveryPage> {
    const data = dataOf<any>(await this._get(`${hook(webhookId)}/deliveries`, params, options)) ?? {};
    return { deliveries: data.deliveries ?? [], nextCursor: data.nextCursor ?? null };
  }

  /** Every delivery of a webhook, fetching pages as iteration needs them. */
  async *listAllDeliveries(
    webhookId: string,
    params: { limit?: number } = {},
    options?: RequestOptions,
  ): AsyncGenerator<WebhookDelivery, void, undefined> {
    let cursor: string | null = null;
    do {
      const page: DeliveryPage = await this.listDeliveries(webhookId, { ...params, cursor }, options);
      yield* page.deliveries;
      cursor = page.deliveries.length ? page.nextCursor : null;
    } while (cursor);
  }

  /** One delivery with its `attempts`. */
  async getDelivery(webhookId: string, deliveryId: string, options?: RequestOptions): Promise<WebhookDelivery> {
    return itemOf(await this._get(`${hook(webhookId)}/deliveries/${seg(deliveryId)}`, undefined, options), 'delivery');
  }

  /** Deliver the same event again, as a new delivery. */
  async redeliver(webhookId: string, deliveryId: string, options?: RequestOptions): Promise<WebhookDelivery> {
    const path = `${hook(webhookId)}/deliveries/${seg(deliveryId)}/redeliver`;
    return itemOf(await this._post(path, undefined, options), 'delivery');
  }
}
