/**
 * A small query cache shared by every hook (or composable) that uses the same client.
 *
 * One entry per key (`[scope, conversationId, ...rest]`): its data, its error, whether it is
 * being fetched. Hooks observe entries; the first observer starts a fetch, concurrent ones
 * share it, and when the last observer leaves a fetch still in flight is aborted. A write
 * (a sent message) invalidates the entries of its conversation: observed ones refetch at once,
 * the others on their next observation.
 */

export type QueryKey = readonly [scope: string, conversationId: string | null, ...rest: unknown[]];

export type QueryStatus = 'loading' | 'success' | 'error';

export interface QuerySnapshot<T> {
  /** The last data fetched; kept while a refetch runs or after a failed one. */
  readonly data: T | undefined;
  /** The error of the last fetch, if it failed. */
  readonly error: Error | undefined;
  /** `loading` until the first fetch settles, then the outcome of the last one. */
  readonly status: QueryStatus;
  /** A fetch is in flight (the first one or a refetch). */
  readonly isFetching: boolean;
}

export type Fetcher<T> = (signal: AbortSignal) => Promise<T>;

export interface Observer<T> {
  /** The current state; a new object whenever it changes. */
  snapshot(): QuerySnapshot<T>;
  /** Fetch again now, even if a fetch is in flight (that one is aborted). */
  refetch(): Promise<void>;
  /** Stop observing; aborts a fetch nobody else waits for. */
  unsubscribe(): void;
}

const INITIAL: QuerySnapshot<never> = {
  data: undefined,
  error: undefined,
  status: 'loading',
  isFetching: false,
};

class Entry<T> {
  snapshot: QuerySnapshot<T> = INITIAL;
  readonly listeners = new Set<() => void>();
  fetcher: Fetcher<T>;
  stale = true;
  private controller: AbortController | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(fetcher: Fetcher<T>) {
    this.fetcher = fetcher;
  }

  fetch(force: boolean): Promise<void> {
    if (this.inFlight && !force) return this.inFlight;
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    this.update({ isFetching: true });
    const run = this.fetcher(controller.signal).then(
      (data) => {
        if (this.controller !== controller) return;
        this.stale = false;
        this.update({ data, error: undefined, status: 'success', isFetching: false });
      },
      (error: unknown) => {
        if (this.controller !== controller) return;
        if (controller.signal.aborted) {
          this.update({ isFetching: false });
          return;
        }
        this.update({ error: asError(error), status: 'error', isFetching: false });
      },
    );
    const settled = run.finally(() => {
      if (this.controller === controller) {
        this.controller = undefined;
        this.inFlight = undefined;
      }
    });
    this.inFlight = settled;
    return settled;
  }

  /** Aborts the fetch in flight; the entry stays stale so the next observer fetches. */
  abort(): void {
    if (!this.controller) return;
    this.controller.abort();
    this.controller = undefined;
    this.inFlight = undefined;
    this.stale = true;
    this.snapshot = { ...this.snapshot, isFetching: false };
  }

  private update(change: Partial<QuerySnapshot<T>>): void {
    this.snapshot = { ...this.snapshot, ...change };
    for (const listener of [...this.listeners]) listener();
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

export class QueryCache {
  private readonly entries = new Map<string, Entry<unknown>>();

  /**
   * Observe `key`: `listener` runs on every change. Fetches when the entry is stale (never
   * fetched, invalidated, aborted) or when `revalidate` is set, sharing a fetch in flight.
   */
  observe<T>(
    key: QueryKey,
    fetcher: Fetcher<T>,
    listener: () => void,
    revalidate = true,
  ): Observer<T> {
    const id = JSON.stringify(key);
    let entry = this.entries.get(id) as Entry<T> | undefined;
    if (!entry) {
      entry = new Entry(fetcher);
      this.entries.set(id, entry as Entry<unknown>);
    }
    const observed = entry;
    observed.fetcher = fetcher;
    observed.listeners.add(listener);
    if (observed.stale || revalidate) void observed.fetch(false);
    return {
      snapshot: () => observed.snapshot,
      refetch: () => observed.fetch(true),
      unsubscribe: () => {
        observed.listeners.delete(listener);
        if (observed.listeners.size === 0) observed.abort();
      },
    };
  }

  /** The current state of `key` without observing it. */
  peek<T>(key: QueryKey): QuerySnapshot<T> {
    return (this.entries.get(JSON.stringify(key))?.snapshot ?? INITIAL) as QuerySnapshot<T>;
  }

  /**
   * Mark stale every entry of `conversationId` (and the account-wide ones, whose key has no
   * conversation: usage totals change with every send); observed entries refetch now.
   */
  invalidateConversation(conversationId: string): Promise<void> {
    const refetches: Promise<void>[] = [];
    for (const [id, entry] of this.entries) {
      const owner = (JSON.parse(id) as QueryKey)[1];
      if (owner !== conversationId && owner !== null) continue;
      entry.stale = true;
      if (entry.listeners.size > 0) refetches.push(entry.fetch(true));
    }
    return Promise.all(refetches).then(() => undefined);
  }
}

const caches = new WeakMap<object, QueryCache>();

/** The cache of `client`: every hook or composable using the same client shares it. */
export function cacheFor(client: object): QueryCache {
  let cache = caches.get(client);
  if (!cache) {
    cache = new QueryCache();
    caches.set(client, cache);
  }
  return cache;
}
