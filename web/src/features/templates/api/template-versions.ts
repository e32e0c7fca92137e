import { useQuery } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import type { TemplateVersion } from '@/lib/api/types';

export function listTemplateVersions(
  _businessId: string,
  templateId: string,
): Promise<{ versions: TemplateVersion[] }> {
  return unwrap<{ versions: TemplateVersion[] }>(
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
