import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

export function revokeApiKey(businessId: string, keyId: string) {
  return unwrap(
    apiClient.DELETE('/api/businesses/{business_id}/api-keys/{key_id}', {
      params: { path: { business_id: businessId, key_id: keyId } },
    }),
  );
}

export function useRevokeApiKey(businessId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (keyId: string) => revokeApiKey(businessId, keyId),
    onSettled: () => queryClient.invalidateQueries({ queryKey: qk.apiKeys.all(businessId) }),
  });
}
