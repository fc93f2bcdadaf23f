import { describe, expect, it } from 'vitest';
import { ValidationError } from '../src/index';
import { client } from './support/helpers';

describe('pinned and excluded messages, and the next send previewed', () => {
  const api = client();

  it('previews a send, pins and excludes messages, and the preview follows', async () => {
    const conversation = await api.conversations.create({ title: 'Costs' });
    const main = conversation.branches![0]!.id;
    const first = await api.messages.send(conversation.id, { content: 'keep me' });
    const second = await api.messages.send(conversation.id, { content: 'leave me out' });

    const before = await api.branches.preview(conversation.id, main, { content: 'next' });
    expect(before.contextMessageCount).toBe(5);
    expect(before.contextMode).toBe('FULL');
    expect(before.model).toBe('gpt-5');
    expect(before.contextWindow).toBeGreaterThan(0);

    const pinned = await api.messages.setContext(first.userMessage!.id, { pinned: true });
    expect([pinned.pinned, pinned.excluded]).toEqual([true, false]);
    const excludedId = second.userMessage!.id;
    expect((await api.messages.setContext(excludedId, { excluded: true })).excluded).toBe(true);

    const after = await api.branches.preview(conversation.id, main, { model: 'gpt-5', content: 'next' });
    expect(after.contextMessageCount).toBe(4);
    expect(after.promptTokens).toBeLessThan(before.promptTokens);
    expect(after.pinnedMessageIds).toEqual([first.userMessage!.id]);
    expect(after.excludedMessageIds).toEqual([excludedId]);

    const fork = await api.branches.preview(conversation.id, main, {
      forkPointMessageId: second.message.id,
      contextMode: 'NONE',
      content: 'on a fork',
    });
    expect(fork.contextMode).toBe('NONE');
    expect(fork.contextMessageCount).toBe(2); // the pinned message and the question

    await expect(api.messages.setContext(excludedId, { pinned: true })).rejects.toBeInstanceOf(ValidationError);
    await expect(api.branches.preview(conversation.id, main, { model: 'no-such-model' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(api.branches.preview(conversation.id, main, { maxTokens: 0 })).rejects.toThrow(/maxTokens/);

    const reply = await api.messages.send(conversation.id, { content: 'next' });
    expect(reply.message.metadata?.excludedMessageIds).toEqual([excludedId]);
    expect(reply.message.metadata?.pinnedMessageIds).toEqual([first.userMessage!.id]);
  });
});
