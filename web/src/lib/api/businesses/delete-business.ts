import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

export function deleteBusiness(businessId: string) {
  return unwrap(
    apiClient.DELETE('/api/businesses/{business_id}', { params: { path: { business_id: businessId } } }),
  );
}

export function useDeleteBusiness() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: deleteBusiness,
    onSuccess: () => qc.invalidateQueries({ queryKey: qk.businesses.all() }),
  });
}
