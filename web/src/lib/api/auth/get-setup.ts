import { useQuery } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

/** Whether any team account exists yet (the sign-in page shows the first-run screen when none does). */
export function getSetup() {
  return unwrap(apiClient.GET('/api/auth/setup', {}));
}

export function useSetup() {
  return useQuery({ queryKey: qk.setup(), queryFn: getSetup, staleTime: 60_000, retry: false });
}
