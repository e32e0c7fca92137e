import { useQuery } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

export function getTemplate(_businessId: string, templateId: string) {
  return unwrap(
    apiClient.GET('/api/templates/{template_id}', {
      params: { path: { template_id: templateId } },
    }),
  );
}

export function useTemplate(businessId: string | null, templateId: string | undefined) {
  return useQuery({
    queryKey: qk.templates.detail(businessId, templateId),
    queryFn: () => getTemplate(businessId as string, templateId as string),
    enabled: !!businessId && !!templateId,
  });
}
