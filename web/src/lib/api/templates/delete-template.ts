import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

export function deleteTemplate(_businessId: string, templateId: string) {
  return unwrap(
    apiClient.DELETE('/api/templates/{template_id}', {
      params: { path: { template_id: templateId } },
    }),
  );
}

export function useDeleteTemplate(businessId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (templateId: string) => deleteTemplate(businessId, templateId),
    onSuccess: () => qc.invalidateQueries({ queryKey: qk.templates.all(businessId) }),
  });
}
