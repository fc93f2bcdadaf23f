import { describe, expect, it } from 'vitest';
import { BudgetExceededError, ValidationError } from '../src/index';
import { client } from './support/helpers';

describe('budgets', () => {
  const api = client();

  it('are set, merged and removed through the update methods, and shown with what was spent', async () => {
    const conversation = await api.conversations.create({ title: 'Budgeted' });
    expect(conversation.budget).toBeNull();
    expect(conversation.spent).toEqual({ tokens: 0, cost: 0 });

    const capped = await api.conversations.update(conversation.id, { budget: { maxTokens: 100_000 } });
    expect(capped.budget).toEqual({ maxTokens: 100_000, maxCost: null, warnAt: 0.8 });
    const merged = await api.conversations.update(conversation.id, { budget: { maxCost: 5, warnAt: 0.5 } });
    expect(merged.budget).toEqual({ maxTokens: 100_000, maxCost: 5, warnAt: 0.5 });

    const main = conversation.branches!.find((b) => b.isMain)!;
    const branch = await api.branches.update(conversation.id, main.id, { budget: { maxTokens: 50_000 } });
    expect(branch.budget).toEqual({ maxTokens: 50_000, maxCost: null, warnAt: 0.8 });

    const sent = await api.messages.send(conversation.id, { content: 'count me' });
    const seen = await api.conversations.get(conversation.id);
    expect(seen.spent!.tokens).toBe(sent.usage.totalTokens);
    expect(seen.branches!.find((b) => b.isMain)!.spent!.tokens).toBe(sent.usage.totalTokens);

    const fork = await api.branches.fork(conversation.id, {
      forkPointMessageId: sent.message.id,
      title: 'Own budget',
      budget: { maxCost: 1 },
    });
    expect(fork.budget).toEqual({ maxTokens: null, maxCost: 1, warnAt: 0.8 });
    expect(fork.spent).toEqual({ tokens: 0, cost: 0 });

    const removed = await api.conversations.update(conversation.id, { budget: null });
    expect(removed.budget).toBeNull();
  });

  it('refuses a bad budget naming the field', async () => {
    const conversation = await api.conversations.create({ title: 'Bad budget' });
    const error = await api.conversations
      .update(conversation.id, { budget: { maxTokens: -1 } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('budget.maxTokens');
  });

  it('refuses a send on a spent budget with BudgetExceededError', async () => {
    const conversation = await api.conversations.create({ title: 'Spent' });
    const sent = await api.messages.send(conversation.id, { content: 'first' });
    await api.conversations.update(conversation.id, { budget: { maxTokens: sent.usage.totalTokens + 5 } });
    const error = await api.messages.send(conversation.id, { content: 'second' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BudgetExceededError);
    const refused = error as BudgetExceededError;
    expect(refused.statusCode).toBe(402);
    expect(refused.errorCode).toBe('BUDGET_EXCEEDED');
    expect(refused.details.budget).toBe('conversation');
    expect(refused.details.id).toBe(conversation.id);
    expect(refused.details.spent.tokens).toBe(sent.usage.totalTokens);
  });

  it('tells a stream when its reply crosses the warning fraction', async () => {
    const conversation = await api.conversations.create({ title: 'Warned' });
    const main = conversation.branches!.find((b) => b.isMain)!;
    await api.branches.update(conversation.id, main.id, { budget: { maxTokens: 2_000, warnAt: 0.001 } });
    const stream = api.messages.stream(conversation.id, { content: 'warn me' });
    const reply = await stream.finalMessage();
    expect(stream.budgetWarning).toMatchObject({ budget: 'branch', id: main.id });
    expect(reply.metadata?.budgetWarning).toEqual(stream.budgetWarning);
  });
});
