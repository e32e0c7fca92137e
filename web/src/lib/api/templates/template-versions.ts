import { useQuery } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

export function listTemplateVersions(_businessId: string, templateId: string) {
  return unwrap(
    apiClient.GET('/api/templates/{template_id}/versions', {
      params: { path: { template_id: templateId } },
    }),
  );
}

export function useTemplateVersions(businessId: string, templateId: string | undefined) {
  return useQuery({
    queryKey: qk.templates.versions(businessId, templateId),
    queryFn: () => listTemplateVersions(businessId, templateId as string),
    enabled: !!templateId,
  });
}
