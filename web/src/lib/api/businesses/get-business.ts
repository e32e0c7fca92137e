import { useQuery } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

export function getBusiness(businessId: string) {
  return unwrap(
    apiClient.GET('/api/businesses/{business_id}', { params: { path: { business_id: businessId } } }),
  );
}

export function useBusiness(businessId: string | null) {
  return useQuery({
    queryKey: qk.businesses.detail(businessId),
    queryFn: () => getBusiness(businessId as string),
    enabled: !!businessId,
  });
}
