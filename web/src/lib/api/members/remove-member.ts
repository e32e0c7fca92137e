import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

/** 409 for the last owner. */
export function removeMember(businessId: string, memberId: string) {
  return unwrap(
    apiClient.DELETE('/api/businesses/{business_id}/members/{member_id}', {
      params: { path: { business_id: businessId, member_id: memberId } },
    }),
  );
}

export function useRemoveMember(businessId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (memberId: string) => removeMember(businessId, memberId),
    onSettled: () => queryClient.invalidateQueries({ queryKey: qk.members.all(businessId) }),
  });
}
