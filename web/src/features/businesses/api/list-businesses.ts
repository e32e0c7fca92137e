import { useQuery } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import type { Business, ListOf } from '@/lib/api/types';

export type BusinessList = ListOf<'businesses', Business>;

export function listBusinesses(page = 1, perPage = 100): Promise<BusinessList> {
  return unwrap<BusinessList>(
    apiClient.GET('/api/businesses', { params: { query: { page, per_page: perPage } } }),
  );
}

export function useBusinesses({ enabled = true, page = 1, perPage = 100 } = {}) {
  return useQuery({
    queryKey: ['businesses', page, perPage],
    queryFn: () => listBusinesses(page, perPage),
    enabled,
  });
}
