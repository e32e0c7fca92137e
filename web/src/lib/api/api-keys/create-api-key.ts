import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import type { KeyScope } from '@/lib/api/models';
import { qk } from '@/lib/api/query-keys';

export interface NewApiKey {
  name: string;
  scopes: KeyScope[];
  expires_at?: string;
}

/** The answer's `api_key` is the only time the secret is ever visible. */
export function createApiKey(businessId: string, body: NewApiKey) {
  return unwrap(
    apiClient.POST('/api/businesses/{business_id}/api-keys', {
      params: { path: { business_id: businessId } },
      body,
    }),
  );
}

export function useCreateApiKey(businessId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NewApiKey) => createApiKey(businessId, body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: qk.apiKeys.all(businessId) }),
  });
}
