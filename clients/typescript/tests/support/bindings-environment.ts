/**
 * The test environment of the React and Vue bindings' suites (`environment:
 * '../typescript/tests/support/bindings-environment.ts'`): jsdom for the DOM, Node's own
 * fetch plumbing for the network.
 *
 * Vitest's jsdom environment replaces `AbortController` and `AbortSignal` with jsdom's, but
 * fetch stays Node's (jsdom has none), and Node's fetch expects its own signals (some Node
 * versions refuse jsdom's). This environment keeps Node's, so an abort (unmount, stop) reaches
 * the request as it would in a browser; Response and ReadableStream are Node's too, so a
 * streamed body arrives chunk by chunk.
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
