import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import type { Business } from '@/lib/api/models';
import { qk } from '@/lib/api/query-keys';

/** api.md PUT/PATCH /api/businesses/{id}: partial; `settings` keys are merged into the stored ones. */
export interface UpdateBusinessInput {
  business_name?: string;
  business_description?: string;
  address?: string | null;
  phone_number?: string | null;
  website?: string | null;
  owner_id?: string | null;
  first_stage_id?: string;
  settings?: Business['settings'];
}

export function updateBusiness(businessId: string, input: UpdateBusinessInput) {
  return unwrap(
    apiClient.PATCH('/api/businesses/{business_id}', {
      params: { path: { business_id: businessId } },
      body: input,
    }),
  );
}

export function useUpdateBusiness(businessId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: UpdateBusinessInput) => updateBusiness(businessId, input),
    onSuccess: (data) => {
      qc.setQueryData(qk.businesses.detail(businessId), data);
      qc.invalidateQueries({ queryKey: qk.businesses.all() });
    },
  });
}
