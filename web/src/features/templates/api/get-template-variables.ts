import { useQuery } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import type { TemplateVariable } from '@/lib/api/types';

export function getTemplateVariables(_businessId: string): Promise<{ variables: TemplateVariable[] }> {
  return unwrap<{ variables: TemplateVariable[] }>(apiClient.GET('/api/template-variables', {}));
}

/** The built-in catalogue changes only with a server release. */
export function useTemplateVariables(businessId: string | null) {
  return useQuery({
    queryKey: ['template-variables', businessId],
    queryFn: () => getTemplateVariables(businessId as string),
    enabled: !!businessId,
    staleTime: Number.POSITIVE_INFINITY,
  });
}
