import { useQuery } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

/** Who invites whom to what; no credential needed (the token is the secret). */
export function getInvitation(token: string) {
  return unwrap(apiClient.GET('/api/invitations/{token}', { params: { path: { token } } }));
}

export function useInvitation(token: string) {
  return useQuery({ queryKey: qk.invitation(token), queryFn: () => getInvitation(token), retry: false });
}
