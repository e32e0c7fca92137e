import { useQuery } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

export function getChannels(businessId: string) {
  return unwrap(
    apiClient.GET('/api/businesses/{business_id}/channels', {
      params: { path: { business_id: businessId } },
    }),
  );
}

export function useChannels(businessId: string) {
  return useQuery({ queryKey: qk.channels.all(businessId), queryFn: () => getChannels(businessId) });
}
