/**
 * jsdom for the DOM, Node's own fetch plumbing for the network.
 *
 * Vitest's jsdom environment replaces `AbortController` and `AbortSignal` with jsdom's,
 * which Node's fetch rejects (its signal must be Node's), so aborting a request (unmount,
 * stop) could not be tested. This environment keeps Node's; fetch, Response and
 * ReadableStream are Node's already (jsdom has none), so streamed bodies arrive chunk by
 * chunk as in a browser.
 */
import { builtinEnvironments, type Environment } from 'vitest/environments';

const NODE_GLOBALS = ['AbortController', 'AbortSignal'] as const;

const environment: Environment = {
  name: 'jsdom-node-fetch',
  transformMode: 'web',
  async setup(global: Record<string, unknown>, options) {
    const saved = NODE_GLOBALS.map((name) => [name, global[name]] as const);
    const jsdom = await builtinEnvironments.jsdom.setup(global, options);
    for (const [name, value] of saved) global[name] = value;
    return jsdom;
  },
};

export default environment;
