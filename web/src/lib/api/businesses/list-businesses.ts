import { useQuery } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

export function listBusinesses(page = 1, perPage = 100) {
  return unwrap(apiClient.GET('/api/businesses', { params: { query: { page, per_page: perPage } } }));
}

export function useBusinesses({ enabled = true, page = 1, perPage = 100 } = {}) {
  return useQuery({
    queryKey: qk.businesses.list(page, perPage),
    queryFn: () => listBusinesses(page, perPage),
    enabled,
  });
}
