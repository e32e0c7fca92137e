import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

export function restoreTemplateVersion(_businessId: string, templateId: string, version: number) {
  return unwrap(
    apiClient.POST('/api/templates/{template_id}/versions/{version}/restore', {
      params: { path: { template_id: templateId, version } },
    }),
  );
}

export function useRestoreTemplateVersion(businessId: string, templateId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (version: number) => restoreTemplateVersion(businessId, templateId, version),
    onSuccess: () => qc.invalidateQueries({ queryKey: qk.templates.all(businessId) }),
  });
}
