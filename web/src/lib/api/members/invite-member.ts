import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import type { MemberRole } from '@/lib/api/models';
import { qk } from '@/lib/api/query-keys';

/** 201 `{invitation_id, invitation_url}`: the link is valid 7 days, once (mailed when the server has SMTP). */
export function inviteMember(businessId: string, body: { email: string; role: MemberRole }) {
  return unwrap(
    apiClient.POST('/api/businesses/{business_id}/members', {
      params: { path: { business_id: businessId } },
      body,
    }),
  );
}

export function useInviteMember(businessId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { email: string; role: MemberRole }) => inviteMember(businessId, body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: qk.members.all(businessId) }),
  });
}
