import { describe, expect, it } from 'vitest';
import { AuthenticationError, ChatRoutesClient, NotFoundError } from '../src/index';
import { client, stack } from './support/helpers';

describe('checkpoints', () => {
  const api = client();

  it('creates, lists, recreates and deletes a checkpoint (both call forms)', async () => {
    const conversation = await api.conversations.create({ title: 'Checkpoints' });
    const first = await api.messages.send(conversation.id, { content: 'one fact' });
    await api.messages.send(conversation.id, { content: 'another fact' });
    const branchId = first.message.branchId!;

    const checkpoint = await api.checkpoints.create(conversation.id, { branchId, anchorMessageId: first.message.id });
    expect(checkpoint.anchorMessageId).toBe(first.message.id);
    expect(checkpoint.anchor_message_id).toBe(first.message.id);
    const again = await api.checkpoints.create(conversation.id, branchId, first.message.id);
    expect(again.id).not.toBe(checkpoint.id);

    const listed = (await api.checkpoints.list(conversation.id)).map((c) => c.id);
    expect(listed).toEqual(expect.arrayContaining([checkpoint.id, again.id]));
    expect((await api.checkpoints.list(conversation.id, branchId)).length).toBe(listed.length);

    const restored = await api.checkpoints.recreate(checkpoint.id);
    expect(restored.checkpoint.id).toBe(checkpoint.id);
    expect(restored.branch.id).not.toBe(branchId);
    expect(Array.isArray(restored.messages)).toBe(true);

    await api.checkpoints.delete(again.id);
    expect((await api.checkpoints.list(conversation.id)).map((c) => c.id)).not.toContain(again.id);
  });
});

describe('usage, plans, billing, models', () => {
  const apiKeyPromise = client().apiKeys.create({ name: 'usage' });

  it('reports the seed fields of usage.summary and a conversation usage', async () => {
    const api = new ChatRoutesClient({ apiKey: (await apiKeyPromise).key, baseUrl: stack.baseUrl });
    const before = await api.usage.summary();
    const conversation = await api.conversations.create({ title: 'Metered' });
    const sent = await api.messages.send(conversation.id, { content: 'count my tokens' });

    const usage = await api.usage.summary();
    expect(usage.tokensUsed).toBe(before.tokensUsed + sent.usage.totalTokens);
    expect(usage.costThisMonth).toBeGreaterThan(before.costThisMonth);

    const convUsage = await api.usage.getConversationUsage(conversation.id);
    expect(convUsage.totals.totalTokens).toBe(sent.usage.totalTokens);
    expect(await api.usage.conversation(conversation.id)).toEqual(convUsage);
    expect((await api.usage.branch(sent.message.branchId!)).totals.totalTokens).toBe(sent.usage.totalTokens);
    expect((await api.usage.message(sent.message.id)).totalTokens).toBe(sent.usage.totalTokens);
    expect((await api.usage.get('month')).totals.totalTokens).toBe(usage.tokensUsed);
    expect(Object.keys((await api.usage.pricing()).pricing)).toContain('gpt-5');
  });

  it('lists plans, models and the account billing', async () => {
    const api = client();
    expect((await api.plans.list()).map((p) => p.id)).toEqual(expect.arrayContaining(['free', 'pro']));
    const models = await api.models.list();
    expect(models.map((m) => m.id)).toEqual(expect.arrayContaining(['gpt-5', 'claude-opus-4-1']));
    const billing = await api.billing.get();
    expect(billing.plan).toBe('enterprise');
  });
});

describe('parallel responses and autobranch', () => {
  const api = client();

  it('generates candidates from two models and stores the chosen one', async () => {
    const conversation = await api.conversations.create({ title: 'Parallel' });
    const session = await api.parallelResponses.create(conversation.id, {
      content: 'compare us',
      models: ['gpt-5', 'claude-opus-4-1'],
    });
    expect(session.candidates.map((c) => c.model).sort()).toEqual(['claude-opus-4-1', 'gpt-5']);
    expect((await api.parallelResponses.get(session.id)).id).toBe(session.id);

    const chosen = await api.parallelResponses.choose(session.id, session.candidates[1]!.id);
    expect(chosen.chosenCandidateId).toBe(session.candidates[1]!.id);
    const contents = (await api.messages.list(conversation.id)).map((m) => m.content);
    expect(contents).toEqual(['compare us', 'Echo: compare us']);
  });

  it('suggests branch points in a text and answers its health', async () => {
    const text = 'Should I learn Python or JavaScript first? Alternatively, what about Go? On the other hand, Rust.';
    const result = await api.autobranch.suggestBranches({ text, suggestionsCount: 2, threshold: 0.1 });
    expect(result.metadata.detectionMethod).toBe('pattern');
    expect(result.suggestions.length).toBeGreaterThan(0);
    expect(result.suggestions[0]!.branchPoint.end).toBeGreaterThan(result.suggestions[0]!.branchPoint.start);
    expect((await api.autobranch.analyzeText(text, { threshold: 0.1 })).suggestions.length).toBeGreaterThan(0);
    expect((await api.autobranch.health()).status).toBeTruthy();
  });
});

describe('auth and API keys', () => {
  it('creates a key that works, lists it, and revokes it', async () => {
    const api = client();
    const created = await api.apiKeys.create({ name: 'rotating' });
    expect(created.key).toMatch(/^cr_prod_sk_[0-9a-f]{64}$/);
    const fresh = new ChatRoutesClient({ apiKey: created.key, baseUrl: stack.apiUrl, retryAttempts: 0 });
    const me = await fresh.auth.me();
    expect(me.email).toContain('@');
    expect((await api.apiKeys.list()).map((k) => k.id)).toContain(created.id);

    await api.apiKeys.revoke(created.id);
    await expect(fresh.conversations.list()).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('registers, logs in, uses the session token, refreshes and logs out', async () => {
    const email = `ts-${Date.now()}-${Math.random().toString(36).slice(2, 6)}@example.com`;
    const anonymous = new ChatRoutesClient({ apiKey: '', baseUrl: stack.baseUrl, retryAttempts: 0 });
    const registered = await anonymous.auth.register({ email, password: 'correct horse battery', name: 'Tess' });
    expect(registered.user.email).toBe(email);

    const session = await anonymous.auth.login({ email, password: 'correct horse battery' });
    const user = new ChatRoutesClient({ accessToken: session.tokens.accessToken, baseUrl: stack.baseUrl, apiKey: '' });
    expect((await user.auth.me()).email).toBe(email);
    const refreshed = await user.auth.refreshToken(session.tokens.refreshToken);
    expect(refreshed.accessToken).toBeTruthy();

    user.setAccessToken(refreshed.accessToken);
    await user.auth.logout(refreshed.refreshToken);
    await expect(user.auth.refreshToken(refreshed.refreshToken)).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('answers another account\'s conversation as not found', async () => {
    const mine = await client().conversations.create({ title: 'Private' });
    const other = client({ apiKey: stack.otherApiKey });
    await expect(other.conversations.get(mine.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(other.messages.send(mine.id, { content: 'intrude' })).rejects.toBeInstanceOf(NotFoundError);
  });
});
