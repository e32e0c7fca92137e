import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import type { Field } from '@/lib/api/models';
import { qk } from '@/lib/api/query-keys';

/** The business's typed fields (draft configuration), in creation order. */
export function useFields(businessId: string | null) {
  return useQuery({
    queryKey: qk.fields.all(businessId),
    queryFn: () =>
      unwrap(
        apiClient.GET('/api/businesses/{business_id}/fields', {
          params: { path: { business_id: businessId as string } },
        }),
      ),
    enabled: !!businessId,
  });
}

/** Create (`isNew`) or update one field; the name is its identifier and does not change. */
export function useSaveField(businessId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ isNew, field }: { isNew: boolean; field: Field }) => {
      if (isNew)
        return unwrap(
          apiClient.POST('/api/businesses/{business_id}/fields', {
            params: { path: { business_id: businessId } },
            body: field,
          }),
        );
      const { name, ...rest } = field;
      return unwrap(
        apiClient.PUT('/api/businesses/{business_id}/fields/{name}', {
          params: { path: { business_id: businessId, name } },
          body: rest,
        }),
      );
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: qk.fields.all(businessId) }),
  });
}

export function useDeleteField(businessId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) =>
      unwrap(
        apiClient.DELETE('/api/businesses/{business_id}/fields/{name}', {
          params: { path: { business_id: businessId, name } },
        }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: qk.fields.all(businessId) }),
  });
}
