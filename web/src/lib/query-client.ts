import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError } from './api/errors';
import { qk } from './api/query-keys';

/** A 401 anywhere means the cookie expired or the key was rotated: drop back to the sign-in page. */
export function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError: (e, query) => handleAuthError(e, query.queryKey) }),
    mutationCache: new MutationCache({
      onError: (e) => handleAuthError(e),
      // Any change may make the draft differ from the published release (the top bar's publish hint).
      onSuccess: () => client.invalidateQueries({ queryKey: ['releases'] }),
    }),
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        refetchOnWindowFocus: false,
        retry: (count, error) =>
          !(error instanceof ApiError && error.status > 0 && error.status < 500) && count < 2,
      },
      mutations: { retry: false },
    },
  });
  function handleAuthError(e: unknown, key?: readonly unknown[]) {
    if (e instanceof ApiError && e.status === 401 && key?.[0] !== qk.me()[0]) {
      client.setQueryData(qk.me(), null);
    }
  }
  return client;
}
