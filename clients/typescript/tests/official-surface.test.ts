/**
 * The calls the official SDK 0.2.0's examples make (basic chat, branching, model
 * comparison, streaming), in the same order and reading the same fields.
 */
import { describe, expect, it } from 'vitest';
import { ChatRoutesClient, type StreamChunk } from '../src/index';
import { stack } from './support/helpers';

describe('the official SDK 0.2.0 surface', () => {
  // As the examples build it: an API key only; the base URL comes from the environment
  // in the examples, here from the root URL the official SDK is given.
  const client = new ChatRoutesClient({ apiKey: stack.apiKey, baseUrl: stack.baseUrl });

  it('branches a conversation and compares two models on it', async () => {
    const conversation = await client.conversations.create({ title: 'Model Comparison', model: 'gpt-5' });
    const gpt = await client.messages.send(conversation.id, { content: 'Explain recursion', model: 'gpt-5', temperature: 0.7 });
    expect(gpt.model).toBe('gpt-5');
    expect(gpt.usage.totalTokens).toBeGreaterThan(0);

    const branch = await client.branches.fork(conversation.id, {
      forkPointMessageId: gpt.message.id,
      title: 'Claude Response',
      contextMode: 'FULL',
    });
    const claude = await client.messages.send(conversation.id, {
      content: 'Explain recursion',
      model: 'claude-opus-4-1',
      temperature: 0.7,
      branchId: branch.id,
    });
    expect(claude.model).toBe('claude-opus-4-1');
    expect(claude.message.branchId).toBe(branch.id);

    const branches = await client.branches.list(conversation.id);
    const main = branches.find((b) => b.isMain)!;
    expect(main.messageCount).toBe(2);
    expect(branches.find((b) => b.id === branch.id)?.title).toBe('Claude Response');

    const tree = await client.conversations.getTree(conversation.id);
    expect(tree.conversation.title).toBe('Model Comparison');
    expect(tree.mainBranch.title).toBe(main.title);

    await client.conversations.delete(conversation.id);
  });

  it('streams on a branch given as branchId, calling onComplete once with message, usage and model', async () => {
    const conversation = await client.conversations.create({ title: 'Streaming Chat Example', model: 'gpt-5' });
    const first = await client.messages.send(conversation.id, { content: 'Write a poem' });
    const branch = await client.branches.fork(conversation.id, { forkPointMessageId: first.message.id, title: 'Again' });
    let text = '';
    const completions: Array<{ totalTokens: number; model: string; branchId?: string }> = [];
    await client.messages.stream(
      conversation.id,
      { content: 'Write another poem', model: 'gpt-5', branchId: branch.id },
      (chunk: StreamChunk) => {
        if (chunk.type === 'content' && chunk.content) text += chunk.content;
      },
      (complete) =>
        completions.push({ totalTokens: complete.usage.totalTokens, model: complete.model, branchId: complete.message.branchId }),
    );
    expect(text).toBe('Echo: Write another poem');
    expect(completions).toEqual([{ totalTokens: expect.any(Number), model: 'gpt-5', branchId: branch.id }]);
  });
});
