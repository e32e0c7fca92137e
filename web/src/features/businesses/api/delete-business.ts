import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';

export function deleteBusiness(businessId: string): Promise<void> {
  return unwrap<void>(
    apiClient.DELETE('/api/businesses/{business_id}', { params: { path: { business_id: businessId } } }),
  );
}

export function useDeleteBusiness() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: deleteBusiness,
    onSuccess: () => qc.invalidateQueries({ queryKey: ['businesses'] }),
  });
}
