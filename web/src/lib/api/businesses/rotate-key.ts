import { useMutation } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';

export function rotateKey(businessId: string) {
  return unwrap(
    apiClient.POST('/api/businesses/{business_id}/rotate-key', {
      params: { path: { business_id: businessId } },
    }),
  );
}

export function useRotateKey() {
  return useMutation({ mutationFn: rotateKey });
}
