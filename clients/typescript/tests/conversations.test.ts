import { describe, expect, it } from 'vitest';
import { ChatRoutesClient, NotFoundError } from '../src/index';
import { client, stack } from './support/helpers';

describe('conversations', () => {
  const api = client();

  it('creates, gets, updates and deletes a conversation', async () => {
    const created = await api.conversations.create({ title: 'Lifecycle', model: 'gpt-5' });
    expect(created.id).toMatch(/^conv_/);
    expect(created.title).toBe('Lifecycle');
    expect(created.branches?.[0]?.isMain).toBe(true);

    const fetched = await api.conversations.get(created.id);
    expect(fetched.id).toBe(created.id);

    const renamed = await api.conversations.update(created.id, { title: 'Renamed' });
    expect(renamed.title).toBe('Renamed');

    await api.conversations.delete(created.id);
    await expect(api.conversations.get(created.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists a page and iterates over every page with listAll', async () => {
    const own = new ChatRoutesClient({ apiKey: (await api.apiKeys.create({ name: 'pages' })).key, baseUrl: stack.apiUrl });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await own.conversations.create({ title: `Page ${i}` })).id);

    const page = await own.conversations.list({ page: 1, limit: 2 });
    expect(page.data).toHaveLength(2);
    expect(page.limit).toBe(2);
    expect(page.hasNext).toBe(true);
    expect(page.total).toBeGreaterThanOrEqual(5);

    const seen: string[] = [];
    for await (const conversation of own.conversations.listAll({ limit: 2 })) seen.push(conversation.id);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(ids));
  });

  it('answers the tree in the shapes the official SDK reads', async () => {
    const conversation = await api.conversations.create({ title: 'Tree' });
    const sent = await api.messages.send(conversation.id, { content: 'root' });
    await api.branches.fork(conversation.id, { forkPointMessageId: sent.message.id, title: 'Side' });

    const tree = await api.conversations.getTree(conversation.id);
    expect(tree.conversation.title).toBe('Tree');
    expect(tree.mainBranch.isMain).toBe(true);
    expect(tree.branches.length).toBeGreaterThanOrEqual(1);
    expect(tree.metadata?.totalBranches).toBe(2);
  });

  it('exports a conversation and imports it back after deletion', async () => {
    const conversation = await api.conversations.create({ title: 'Travels' });
    await api.messages.send(conversation.id, { content: 'pack the bags' });

    const document = await api.conversations.export(conversation.id);
    expect(document.messages.map((m) => m.content)).toContain('pack the bags');

    await api.conversations.delete(conversation.id);
    const imported = await api.conversations.import(document);
    expect(imported.id).toBe(conversation.id);
    const messages = await api.messages.list(imported.id);
    expect(messages.map((m) => m.content)).toEqual(['pack the bags', 'Echo: pack the bags']);
  });

  it('sends with addMessage and answers the reply as aiResponse', async () => {
    const conversation = await api.conversations.create({ title: 'Seed' });
    const message = await api.conversations.addMessage(conversation.id, { content: 'Hello, world!' });
    expect(message.aiResponse.role).toBe('assistant');
    expect(message.aiResponse.content).toBe('Echo: Hello, world!');
    expect(message.aiResponse.id).toBe(message.message.id);
  });
});
