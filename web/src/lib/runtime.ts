import { useQuery } from '@tanstack/react-query';
import { apiClient, unwrap } from './api/client';
import type { RuntimeInfo } from './api/types';

export function getRuntime(): Promise<RuntimeInfo> {
  return unwrap<RuntimeInfo>(apiClient.GET('/api/settings/runtime', {}));
}

export function useRuntime() {
  return useQuery({ queryKey: ['settings', 'runtime'], queryFn: getRuntime, staleTime: 60_000 });
}
