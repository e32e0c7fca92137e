import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

export interface CreateBusinessInput {
  business_name: string;
  business_description?: string;
  address?: string;
  phone_number?: string;
  website?: string;
  owner_id?: string;
}

export function createBusiness(input: CreateBusinessInput) {
  const body: CreateBusinessInput = { business_name: input.business_name };
  for (const k of ['business_description', 'address', 'phone_number', 'website', 'owner_id'] as const) {
    if (input[k]?.trim()) body[k] = input[k];
  }
  return unwrap(apiClient.POST('/api/businesses', { body }));
}

export function useCreateBusiness() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: createBusiness,
    onSuccess: () => qc.invalidateQueries({ queryKey: qk.businesses.all() }),
  });
}
