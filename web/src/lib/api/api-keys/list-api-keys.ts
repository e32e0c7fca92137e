import { useQuery } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

export function listApiKeys(businessId: string) {
  return unwrap(
    apiClient.GET('/api/businesses/{business_id}/api-keys', {
      params: { path: { business_id: businessId }, query: { per_page: 100 } },
    }),
  );
}

export function useApiKeys(businessId: string | null, { enabled = true } = {}) {
  return useQuery({
    queryKey: qk.apiKeys.all(businessId),
    queryFn: () => listApiKeys(businessId as string),
    enabled: enabled && !!businessId,
  });
}
