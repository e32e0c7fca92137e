import { useQuery } from '@tanstack/react-query';
import { apiClient, unwrap } from './api/client';

export function getRuntime() {
  return unwrap(apiClient.GET('/api/settings/runtime', {}));
}

export function useRuntime() {
  return useQuery({ queryKey: ['settings', 'runtime'], queryFn: getRuntime, staleTime: 60_000 });
}
