import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

/** Signs out every other device; this browser's session stays. */
export function revokeOtherSessions() {
  return unwrap(apiClient.DELETE('/api/auth/sessions', {}));
}

export function useRevokeOtherSessions() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: revokeOtherSessions,
    onSettled: () => queryClient.invalidateQueries({ queryKey: qk.account.sessions() }),
  });
}
