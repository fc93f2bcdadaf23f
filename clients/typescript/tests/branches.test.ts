import { describe, expect, it } from 'vitest';
import { ValidationError } from '../src/index';
import { client } from './support/helpers';

describe('branches', () => {
  const api = client();

  async function conversationWithReply(title: string) {
    const conversation = await api.conversations.create({ title });
    const sent = await api.messages.send(conversation.id, { content: `${title} question` });
    return { conversation, sent };
  }

  it('creates, forks, lists, renames and deletes branches', async () => {
    const { conversation, sent } = await conversationWithReply('Branching');
    const created = await api.branches.create(conversation.id, {
      title: 'Alternative Path',
      forkPointMessageId: sent.message.id,
      contextMode: 'FULL',
    });
    expect(created.forkPointMessageId).toBe(sent.message.id);
    const forked = await api.branches.fork(conversation.id, { forkPointMessageId: sent.message.id, title: 'Fork' });
    expect(forked.isMain).toBe(false);

    const titles = (await api.branches.list(conversation.id)).map((b) => b.title);
    expect(titles).toEqual(expect.arrayContaining(['Main', 'Alternative Path', 'Fork']));

    const renamed = await api.branches.update(conversation.id, forked.id, { title: 'Renamed fork' });
    expect(renamed.title).toBe('Renamed fork');

    await api.branches.delete(conversation.id, forked.id);
    const after = (await api.branches.list(conversation.id)).map((b) => b.id);
    expect(after).not.toContain(forked.id);
  });

  it('sends on a branch three ways and reads its messages', async () => {
    const { conversation, sent } = await conversationWithReply('Paths');
    const branch = await api.branches.fork(conversation.id, { forkPointMessageId: sent.message.id, title: 'Side' });

    await api.messages.send(conversation.id, { content: 'via messages.send', branchId: branch.id });
    await api.branches.sendMessage(conversation.id, branch.id, { content: 'via sendMessage' });
    const streamed = await api.branches.stream(conversation.id, branch.id, { content: 'via stream' }).finalMessage();
    expect(streamed.branchId).toBe(branch.id);

    const contents = (await api.branches.getMessages(conversation.id, branch.id)).map((m) => m.content);
    expect(contents).toEqual([
      'Paths question',
      'Echo: Paths question',
      'via messages.send',
      'Echo: via messages.send',
      'via sendMessage',
      'Echo: via sendMessage',
      'via stream',
      'Echo: via stream',
    ]);
    expect((await api.messages.list(conversation.id, branch.id)).length).toBe(8);
    expect((await api.messages.list(conversation.id)).length).toBe(2);
  });

  it('merges a branch into its parent', async () => {
    const { conversation, sent } = await conversationWithReply('Merge');
    const branch = await api.branches.fork(conversation.id, { forkPointMessageId: sent.message.id, title: 'Idea' });
    await api.branches.sendMessage(conversation.id, branch.id, { content: 'good idea' });

    const main = await api.branches.merge(conversation.id, branch.id);
    expect(main.isMain).toBe(true);
    const contents = (await api.messages.list(conversation.id)).map((m) => m.content);
    expect(contents).toEqual(expect.arrayContaining(['good idea', 'Echo: good idea']));
  });

  it('cherry-picks chosen messages with mergeDetailed', async () => {
    const { conversation, sent } = await conversationWithReply('Cherry');
    const branch = await api.branches.fork(conversation.id, { forkPointMessageId: sent.message.id, title: 'Pick' });
    const keep = await api.branches.sendMessage(conversation.id, branch.id, { content: 'keep this' });
    await api.branches.sendMessage(conversation.id, branch.id, { content: 'drop this' });

    const merged = await api.branches.mergeDetailed(conversation.id, branch.id, {
      strategy: 'cherry-pick',
      messageIds: [keep.message.id],
    });
    expect(merged.branch.isMain).toBe(true);
    const contents = (await api.messages.list(conversation.id)).map((m) => m.content);
    expect(contents).toContain('Echo: keep this');
    expect(contents).not.toContain('drop this');
  });

  it('refuses to delete the main branch and to fork at an unknown message', async () => {
    const { conversation } = await conversationWithReply('Guards');
    const main = (await api.branches.list(conversation.id)).find((b) => b.isMain)!;
    await expect(api.branches.delete(conversation.id, main.id)).rejects.toBeInstanceOf(ValidationError);
    await expect(
      api.branches.fork(conversation.id, { forkPointMessageId: 'msg_missing', title: 'Nowhere' }),
    ).rejects.toMatchObject({ name: 'ValidationError', statusCode: 400, field: 'forkPointMessageId' });
  });
});
