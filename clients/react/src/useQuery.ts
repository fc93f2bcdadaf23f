import { useCallback, useRef, useSyncExternalStore } from 'react';
import type { ChatRoutesClient } from '@chatroutes/sdk';
import { cacheFor, type Fetcher, type Observer, type QueryKey, type QuerySnapshot } from '@chatroutes/sdk/bindings';

export interface QueryResult<T> extends QuerySnapshot<T> {
  /** True until the first fetch settles. */
  readonly isLoading: boolean;
  /** Fetch again now. */
  refetch(): Promise<void>;
}

const DISABLED: QuerySnapshot<never> = {
  data: undefined,
  error: undefined,
  status: 'loading',
  isFetching: false,
};

/**
 * Observe one cache entry of `client` for the life of the component. `key` null (a missing
 * id) observes nothing. Unmounting unsubscribes, which aborts a fetch nobody else waits for,
 * and no listener runs after that: no state update after unmount.
 */
export function useQuery<T>(
  client: ChatRoutesClient,
  key: QueryKey | null,
  fetcher: Fetcher<T>,
): QueryResult<T> {
  const cache = cacheFor(client);
  const keyId = key === null ? null : JSON.stringify(key);
  const observer = useRef<Observer<T> | null>(null);
  const latestFetcher = useRef(fetcher);
  latestFetcher.current = fetcher;

  const subscribe = useCallback(
    (onChange: () => void) => {
      if (key === null) return () => undefined;
      const current = cache.observe<T>(key, (signal) => latestFetcher.current(signal), onChange);
      observer.current = current;
      return () => {
        current.unsubscribe();
        if (observer.current === current) observer.current = null;
      };
    },
    // The key's content (keyId), not the array's identity, decides what is observed.
    [cache, keyId],
  );
  const snapshot = useSyncExternalStore(
    subscribe,
    () => (key === null ? DISABLED : cache.peek<T>(key)),
    () => DISABLED,
  );
  const refetch = useCallback(
    () => (observer.current ? observer.current.refetch() : Promise.resolve()),
    [],
  );
  return { ...snapshot, isLoading: snapshot.status === 'loading', refetch };
}
