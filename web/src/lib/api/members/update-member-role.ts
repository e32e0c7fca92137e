import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import type { MemberRole } from '@/lib/api/models';
import { qk } from '@/lib/api/query-keys';

/** 409 when it would leave the business without an owner. */
export function updateMemberRole(businessId: string, memberId: string, role: MemberRole) {
  return unwrap(
    apiClient.PATCH('/api/businesses/{business_id}/members/{member_id}', {
      params: { path: { business_id: businessId, member_id: memberId } },
      body: { role },
    }),
  );
}

export function useUpdateMemberRole(businessId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ memberId, role }: { memberId: string; role: MemberRole }) =>
      updateMemberRole(businessId, memberId, role),
    onSettled: () => queryClient.invalidateQueries({ queryKey: qk.members.all(businessId) }),
  });
}
