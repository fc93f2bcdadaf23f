import { inject } from 'vitest';
import { ChatRoutesClient, type ChatRoutesConfig } from '../../src/index';

export { marker, plantFault } from './faults';

export const stack = inject('stack');

/** A client of the main test account (or of `apiKey`), fast retries. */
export function client(config: ChatRoutesConfig = {}): ChatRoutesClient {
  return new ChatRoutesClient({ apiKey: stack.apiKey, baseUrl: stack.baseUrl, retryDelay: 50, timeout: 10_000, ...config });
}

/** A client of a new account of its own (registered, then logged in): nothing else the
 * suite does runs in it, so its lists and usage are this test's alone. */
export async function freshAccount(): Promise<ChatRoutesClient> {
  const email = `ts-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const anonymous = new ChatRoutesClient({ apiKey: '', baseUrl: stack.baseUrl });
  await anonymous.auth.register({ email, password: 'correct horse battery' });
  const { tokens } = await anonymous.auth.login({ email, password: 'correct horse battery' });
  return new ChatRoutesClient({ apiKey: '', accessToken: tokens.accessToken, baseUrl: stack.apiUrl });
}
