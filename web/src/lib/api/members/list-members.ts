import { useQuery } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

export function listMembers(businessId: string) {
  return unwrap(
    apiClient.GET('/api/businesses/{business_id}/members', {
      params: { path: { business_id: businessId }, query: { per_page: 100 } },
    }),
  );
}

export function useMembers(businessId: string | null, { enabled = true } = {}) {
  return useQuery({
    queryKey: qk.members.all(businessId),
    queryFn: () => listMembers(businessId as string),
    enabled: enabled && !!businessId,
  });
}
