import { useQuery } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

/** Invitations not yet accepted, revoked or expired (owners only). */
export function listPendingInvitations(businessId: string) {
  return unwrap(
    apiClient.GET('/api/businesses/{business_id}/invitations', {
      params: { path: { business_id: businessId } },
    }),
  );
}

export function usePendingInvitations(businessId: string) {
  return useQuery({
    queryKey: qk.members.invitations(businessId),
    queryFn: () => listPendingInvitations(businessId),
  });
}
