import { useQuery } from '@tanstack/react-query';
import { apiClient, compact, unwrap } from '@/lib/api/client';
import type { TemplateType } from '@/lib/api/models';
import { qk } from '@/lib/api/query-keys';

export interface TemplateFilters {
  template_type?: TemplateType | '';
  is_default?: 'true' | 'false' | '';
}

export function listTemplates(businessId: string, filters: TemplateFilters = {}) {
  return unwrap(
    apiClient.GET('/api/templates', {
      params: {
        query: compact({
          business_id: businessId,
          template_type: filters.template_type,
          is_default: filters.is_default ? filters.is_default === 'true' : undefined,
          per_page: 100,
        }),
      },
    }),
  );
}

export function useTemplates(businessId: string | null, filters: TemplateFilters = {}) {
  return useQuery({
    queryKey: qk.templates.list(businessId, filters),
    queryFn: () => listTemplates(businessId as string, filters),
    enabled: !!businessId,
  });
}
