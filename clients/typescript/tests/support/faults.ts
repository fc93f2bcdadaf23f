/**
 * The mock upstream's faults, for the SDK's suite and the bindings' (it imports no SDK code).
 */
import { inject } from 'vitest';
import type { LiveStack } from './global-setup';

const stack: LiveStack = inject('stack');

/** Give every upstream request whose body contains `marker` a mock fault. */
export async function plantFault(marker: string, fault: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${stack.controlUrl}/faults`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ marker, ...fault }),
  });
  if (!response.ok) throw new Error(`planting a fault failed: ${await response.text()}`);
}

/** A word no other test uses, to tie a fault to one test's messages. */
export function marker(): string {
  return `mark${Math.random().toString(36).slice(2, 10)}`;
}
