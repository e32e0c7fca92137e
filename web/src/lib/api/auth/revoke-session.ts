import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

export function revokeSession(sessionId: string) {
  return unwrap(
    apiClient.DELETE('/api/auth/sessions/{session_id}', { params: { path: { session_id: sessionId } } }),
  );
}

export function useRevokeSession() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: revokeSession,
    onSettled: () => queryClient.invalidateQueries({ queryKey: qk.account.sessions() }),
  });
}
