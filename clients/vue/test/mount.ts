import { mount } from '@vue/test-utils';
import { defineComponent, h, isRef } from 'vue';
import type { ChatRoutesClient } from '@chatroutes/sdk';
import { ChatRoutesPlugin } from '../src/index';

/** Read every ref in `value` (and in its plain objects), so the render depends on them all. */
function readRefs(value: unknown, depth = 0): number {
  if (isRef(value)) return 1 + readRefs(value.value, depth + 1);
  if (depth > 2 || typeof value !== 'object' || value === null) return 0;
  return Object.values(value).reduce<number>((sum, item) => sum + readRefs(item, depth + 1), 0);
}

/**
 * Mount a component whose setup runs `use` (with the plugin holding `client`, when given);
 * returns what `use` returned, the wrapper, and how many times the component rendered.
 */
export function withSetup<T extends object>(use: () => T, client?: ChatRoutesClient) {
  let result!: T;
  const counter = { renders: 0 };
  const Probe = defineComponent({
    setup() {
      result = use();
      return () => {
        counter.renders += 1;
        return h('pre', String(readRefs(result)));
      };
    },
  });
  const wrapper = mount(Probe, {
    global: { plugins: client ? [[ChatRoutesPlugin, { client }]] : [] },
  });
  return { result, wrapper, counter };
}

/** Wait until `check` stops throwing (or fail after `timeout` ms with its last error). */
export async function eventually(check: () => void, timeout = 10_000): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
