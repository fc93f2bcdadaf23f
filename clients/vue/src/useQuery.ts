import { computed, getCurrentScope, onScopeDispose, shallowRef, watch, type ComputedRef, type Ref } from 'vue';
import type { ChatRoutesClient } from '@chatroutes/sdk';
import { cacheFor, type Fetcher, type Observer, type QueryKey, type QueryStatus } from '@chatroutes/sdk/bindings';

export interface QueryResult<T> {
  /** The last data fetched; kept while a refetch runs or after a failed one. */
  readonly data: Ref<T | undefined>;
  /** The error of the last fetch, if it failed. */
  readonly error: Ref<Error | undefined>;
  /** `loading` until the first fetch settles, then the outcome of the last one. */
  readonly status: Ref<QueryStatus>;
  /** True until the first fetch settles. */
  readonly isLoading: ComputedRef<boolean>;
  /** A fetch is in flight (the first one or a refetch). */
  readonly isFetching: Ref<boolean>;
  /** Fetch again now. */
  refetch(): Promise<void>;
}

export type QuerySource<T> = () => readonly [QueryKey, Fetcher<T>] | null;

/**
 * Observe the cache entry `source` names (it is re-read when its reactive inputs change;
 * null observes nothing) until the calling scope is disposed. Disposal unsubscribes, which
 * aborts a fetch nobody else waits for; nothing is updated afterwards.
 */
export function useQuery<T>(client: ChatRoutesClient, source: QuerySource<T>): QueryResult<T> {
  const cache = cacheFor(client);
  const data = shallowRef<T | undefined>(undefined);
  const error = shallowRef<Error | undefined>(undefined);
  const status = shallowRef<QueryStatus>('loading');
  const isFetching = shallowRef(false);
  let observer: Observer<T> | null = null;

  const copy = (current: Observer<T>) => {
    if (observer !== current) return;
    const snapshot = current.snapshot();
    data.value = snapshot.data;
    error.value = snapshot.error;
    status.value = snapshot.status;
    isFetching.value = snapshot.isFetching;
  };

  const stopWatching = watch(
    () => {
      const named = source();
      return named ? JSON.stringify(named[0]) : null;
    },
    () => {
      observer?.unsubscribe();
      observer = null;
      const named = source();
      if (!named) {
        data.value = undefined;
        error.value = undefined;
        status.value = 'loading';
        isFetching.value = false;
        return;
      }
      const [key, fetcher] = named;
      let current: Observer<T> | null = null;
      current = cache.observe<T>(key, fetcher, () => {
        if (current) copy(current);
      });
      observer = current;
      copy(current);
    },
    { immediate: true },
  );

  if (getCurrentScope()) {
    onScopeDispose(() => {
      stopWatching();
      observer?.unsubscribe();
      observer = null;
    });
  }

  return {
    data,
    error,
    status,
    isLoading: computed(() => status.value === 'loading'),
    isFetching,
    refetch: () => (observer ? observer.refetch() : Promise.resolve()),
  };
}
