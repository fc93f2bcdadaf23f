/**
 * The test helpers of the React and Vue bindings' suites (`@chatroutes/react`, `@chatroutes/vue`),
 * imported by relative path. They run on the live stack of `global-setup.ts` and use the SDK as
 * the bindings do, by its package name: the built `dist` (which a binding's `node_modules` links
 * to), not this package's sources.
 */
import { expect, inject } from 'vitest';
import { ChatRoutesClient, type ChatRoutesConfig, type Conversation, type Message } from '@chatroutes/sdk';
import type { LiveStack } from './global-setup';

export { marker, plantFault } from './faults';

export const stack: LiveStack = inject('stack');

/** A client of the account that owns `apiKey`, on the live server. */
export function client(apiKey: string, config: ChatRoutesConfig = {}): ChatRoutesClient {
  return new ChatRoutesClient({ apiKey, baseUrl: stack.baseUrl, retryDelay: 50, ...config });
}

/**
 * A new account and an API key for it: each test gets its own requests-per-minute allowance
 * (a free plan's), so the suite never waits on a rate limit.
 */
export async function newAccountKey(): Promise<string> {
  const email = `bindings-${Math.random().toString(36).slice(2, 12)}@example.com`;
  const anonymous = new ChatRoutesClient({ baseUrl: stack.baseUrl });
  const { tokens } = await anonymous.auth.register({ email, password: 'bindings-test-password' });
  const session = new ChatRoutesClient({ baseUrl: stack.baseUrl, accessToken: tokens.accessToken });
  return (await session.apiKeys.create({ name: 'bindings tests' })).key;
}

/** A conversation with one exchange (`first` and its echoed reply) on its main branch. */
export async function conversationWithReply(
  api: ChatRoutesClient,
  first = 'hello there',
): Promise<{ conversation: Conversation; reply: Message }> {
  const conversation = await api.conversations.create({ title: 'Bindings', model: 'gpt-5' });
  const sent = await api.messages.send(conversation.id, { content: first });
  return { conversation, reply: sent.message };
}

/**
 * After a stop: the reply a binding shows (`message`) ended as stopped with a strict prefix of
 * `whole` that starts with what was `shown` before the stop, and it is what the server stored.
 * Returns its text.
 */
export async function expectStoppedAsStored(
  api: ChatRoutesClient,
  conversationId: string,
  message: Message | undefined,
  whole: string,
  shown = '',
): Promise<string> {
  const kept = message?.content ?? '';
  expect(message?.metadata?.finishReason).toBe('stopped');
  expect(kept.startsWith(shown)).toBe(true);
  expect(whole.startsWith(kept)).toBe(true);
  expect(kept.length).toBeLessThan(whole.length);
  const reply = (await api.messages.list(conversationId)).find((m) => m.role === 'assistant');
  expect(reply?.metadata?.finishReason).toBe('stopped');
  expect(reply?.content).toBe(kept);
  return kept;
}

export interface RecordedCall {
  url: string;
  method: string;
  signal: AbortSignal | undefined;
}

/**
 * A fetch that records every call (its URL, method and signal) and holds back the calls
 * `hold` picks until `release()`, to catch a hook with a request in flight.
 */
export function recordingFetch(hold: (call: RecordedCall) => boolean = () => false) {
  const calls: RecordedCall[] = [];
  const held: Array<() => void> = [];
  const wrapped: typeof fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const call = { url, method: init?.method ?? 'GET', signal: init?.signal ?? undefined };
    calls.push(call);
    if (hold(call)) await new Promise<void>((release) => held.push(release));
    return fetch(input, init);
  };
  return {
    fetch: wrapped,
    calls,
    release: () => held.splice(0).forEach((go) => go()),
  };
}
