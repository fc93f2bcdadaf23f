import { inject } from 'vitest';
import { ChatRoutesClient, type ChatRoutesConfig } from '../../src/index';

export const stack = inject('stack');

/** A client of the main test account (or of `apiKey`), fast retries. */
export function client(config: ChatRoutesConfig = {}): ChatRoutesClient {
  return new ChatRoutesClient({ apiKey: stack.apiKey, baseUrl: stack.baseUrl, retryDelay: 50, timeout: 10_000, ...config });
}

/** Give every upstream request whose body contains `marker` a mock fault. */
export async function plantFault(marker: string, fault: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${stack.controlUrl}/faults`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ marker, ...fault }),
  });
  if (!response.ok) throw new Error(`planting a fault failed: ${await response.text()}`);
}

/** A word no other test uses, to tie a fault to this test's messages. */
export function marker(): string {
  return `mark${Math.random().toString(36).slice(2, 10)}`;
}
