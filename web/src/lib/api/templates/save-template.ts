import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import type { TemplateType } from '@/lib/api/models';
import { qk } from '@/lib/api/query-keys';

export interface TemplateInput {
  template_name: string;
  template_type: TemplateType;
  content: string;
  system_prompt: string;
  is_default: boolean;
}

export function createTemplate(businessId: string, input: TemplateInput) {
  return unwrap(apiClient.POST('/api/templates', { body: { business_id: businessId, ...input } }));
}

export function updateTemplate(_businessId: string, templateId: string, input: Partial<TemplateInput>) {
  return unwrap(
    apiClient.PUT('/api/templates/{template_id}', {
      params: { path: { template_id: templateId } },
      body: input,
    }),
  );
}

export function useCreateTemplate(businessId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: TemplateInput) => createTemplate(businessId, input),
    onSuccess: () => qc.invalidateQueries({ queryKey: qk.templates.all(businessId) }),
  });
}

export function useUpdateTemplate(businessId: string, templateId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: Partial<TemplateInput>) => updateTemplate(businessId, templateId, input),
    onSuccess: (t) => {
      qc.setQueryData(qk.templates.detail(businessId, templateId), t);
      qc.invalidateQueries({ queryKey: qk.templates.all(businessId) });
    },
  });
}
