/**
 * `@chatroutes/sdk/bindings`: the shared state layer of the React and Vue bindings
 * (`@chatroutes/react`, `@chatroutes/vue`).
 *
 * Framework-agnostic: a query cache per client (shared fetches, aborts when nobody observes,
 * invalidation by conversation), the reads the bindings make (cache key + SDK call), the
 * state of sending a message with its reply streamed live (`SendSession`: send, stop, reset),
 * and the invalidation after a change made with the client directly. A binding for another
 * framework builds on the same pieces: observe a cache entry or subscribe to a `SendSession`
 * for the life of a component, re-render on each change.
 *
 * Like the main entry it uses fetch only: no Node import, loadable in a browser.
 */
export {
  QueryCache,
  cacheFor,
  type QueryKey,
  type QueryStatus,
  type QuerySnapshot,
  type Fetcher,
  type Observer,
} from './cache';
export { queries, type Read } from './queries';
export { streamReply, askServerToStop, type StreamHandlers } from './stream';
export { SendSession, type SendState, type SendStatus } from './send';
export { invalidateConversation } from './invalidate';
