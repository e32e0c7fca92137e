import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

/** The link stops working at once; 404 when it was accepted, revoked or expired meanwhile. */
export function revokeInvitation(businessId: string, invitationId: string) {
  return unwrap(
    apiClient.DELETE('/api/businesses/{business_id}/invitations/{invitation_id}', {
      params: { path: { business_id: businessId, invitation_id: invitationId } },
    }),
  );
}

export function useRevokeInvitation(businessId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (invitationId: string) => revokeInvitation(businessId, invitationId),
    onSettled: () => queryClient.invalidateQueries({ queryKey: qk.members.invitations(businessId) }),
  });
}
