import { useMutation } from '@tanstack/react-query';
import { apiClient, compact, unwrap } from '@/lib/api/client';
import type { RenderInput } from './render-template';

export function testTemplate(_businessId: string, templateId: string, input: RenderInput) {
  return unwrap(
    apiClient.POST('/api/templates/{template_id}/test', {
      params: { path: { template_id: templateId } },
      body: compact({ ...input }),
    }),
  );
}

export function useTestTemplate(businessId: string, templateId: string) {
  return useMutation({ mutationFn: (input: RenderInput) => testTemplate(businessId, templateId, input) });
}
