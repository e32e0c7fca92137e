import { useQuery } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';

export const channelsKey = (businessId: string) => ['channels', businessId] as const;

export function getChannels(businessId: string) {
  return unwrap(
    apiClient.GET('/api/businesses/{business_id}/channels', {
      params: { path: { business_id: businessId } },
    }),
  );
}

export function useChannels(businessId: string) {
  return useQuery({ queryKey: channelsKey(businessId), queryFn: () => getChannels(businessId) });
}
