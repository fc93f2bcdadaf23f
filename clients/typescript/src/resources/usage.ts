import type { RequestOptions } from '../http';
import type { Billing, MessageUsage, ModelInfo, Plan, Pricing, Timeframe, UsageReport, UsageSummary } from '../types';
import { Resource, dataOf, itemsOf, seg } from './base';

/** `client.usage`: tokens and cost of the account, a conversation, a branch or a message. */
export class UsageAPI extends Resource {
  /** The account's usage over a timeframe (default `month`), by model and by day. */
  async get(timeframe: Timeframe | string = 'month', options?: RequestOptions): Promise<UsageReport> {
    return dataOf(await this._get('/usage', { timeframe }, options));
  }

  /** This month: `{tokensUsed, costThisMonth, promptTokens, completionTokens, calls, byModel}`. */
  async summary(options?: RequestOptions): Promise<UsageSummary> {
    return dataOf(await this._get('/usage/summary', undefined, options));
  }

  /** A conversation's usage (one branch's with `branchId`). */
  async conversation(conversationId: string, branchId?: string, options?: RequestOptions): Promise<UsageReport> {
    return dataOf(await this._get(`/usage/conversations/${seg(conversationId)}`, { branchId }, options));
  }

  /** `conversation`, by the platform docs' name. */
  getConversationUsage(conversationId: string, branchId?: string, options?: RequestOptions): Promise<UsageReport> {
    return this.conversation(conversationId, branchId, options);
  }

  async branch(branchId: string, options?: RequestOptions): Promise<UsageReport> {
    return dataOf(await this._get(`/usage/branches/${seg(branchId)}`, undefined, options));
  }

  /** What one message cost: its tokens and price. */
  async message(messageId: string, options?: RequestOptions): Promise<MessageUsage> {
    return dataOf(await this._get(`/usage/messages/${seg(messageId)}`, undefined, options));
  }

  /** Prices per model (per million tokens). */
  async pricing(options?: RequestOptions): Promise<Pricing> {
    return dataOf(await this._get('/usage/pricing', undefined, options));
  }
}

/** `client.plans`: the plans on offer and their limits. */
export class PlansAPI extends Resource {
  async list(options?: RequestOptions): Promise<Plan[]> {
    return itemsOf(await this._get('/plans', undefined, options), 'plans');
  }
}

/** `client.billing`: the account's plan and what it used this period. */
export class BillingAPI extends Resource {
  async get(options?: RequestOptions): Promise<Billing> {
    return dataOf(await this._get('/billing', undefined, options));
  }
}

/** `client.models`: the models this server can answer with. */
export class ModelsAPI extends Resource {
  async list(options?: RequestOptions): Promise<ModelInfo[]> {
    return itemsOf(await this._get('/models', undefined, options), 'models');
  }
}
