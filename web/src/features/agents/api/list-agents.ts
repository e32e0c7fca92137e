import { useQuery } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import type { Agent, ListOf } from '@/lib/api/types';

export type AgentList = ListOf<'agents', Agent>;

export function listAgents(businessId: string): Promise<AgentList> {
  return unwrap<AgentList>(
    apiClient.GET('/api/agents', { params: { query: { business_id: businessId, per_page: 100 } } }),
  );
}

export function useAgents(businessId: string | null) {
  return useQuery({
    queryKey: ['agents', businessId],
    queryFn: () => listAgents(businessId as string),
    enabled: !!businessId,
  });
}
