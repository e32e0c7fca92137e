import { useQuery } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';

export function listTemplateVersions(_businessId: string, templateId: string) {
  return unwrap(
    apiClient.GET('/api/templates/{template_id}/versions', {
      params: { path: { template_id: templateId } },
    }),
  );
}

export function useTemplateVersions(businessId: string, templateId: string | undefined) {
  return useQuery({
    queryKey: ['templates', businessId, 'versions', templateId],
    queryFn: () => listTemplateVersions(businessId, templateId as string),
    enabled: !!templateId,
  });
}
