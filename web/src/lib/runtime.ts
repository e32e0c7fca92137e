import { useQuery } from '@tanstack/react-query';
import { qk } from '@/lib/api/query-keys';
import { apiClient, unwrap } from './api/client';

export function getRuntime() {
  return unwrap(apiClient.GET('/api/settings/runtime', {}));
}

export function useRuntime() {
  return useQuery({ queryKey: qk.runtime(), queryFn: getRuntime, staleTime: 60_000 });
}
