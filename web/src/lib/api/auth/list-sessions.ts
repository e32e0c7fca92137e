import { useQuery } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

/** The signed-in account's own sessions (device, address, last seen). */
export function listSessions() {
  return unwrap(apiClient.GET('/api/auth/sessions', {}));
}

export function useAuthSessions() {
  return useQuery({ queryKey: qk.account.sessions(), queryFn: listSessions });
}
