import { useQuery } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

export function getTemplateVariables(_businessId: string) {
  return unwrap(apiClient.GET('/api/template-variables', {}));
}

/** The built-in catalogue changes only with a server release. */
export function useTemplateVariables(businessId: string | null) {
  return useQuery({
    queryKey: qk.templates.variables(businessId),
    queryFn: () => getTemplateVariables(businessId as string),
    enabled: !!businessId,
    staleTime: Number.POSITIVE_INFINITY,
  });
}
