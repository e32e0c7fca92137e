import { useQuery } from '@tanstack/react-query';
import { apiClient, compact, unwrap } from '@/lib/api/client';
import type { ListOf, Stage } from '@/lib/api/types';

export type StageList = ListOf<'stages', Stage>;

export function listStages(businessId: string, agentId?: string | null): Promise<StageList> {
  return unwrap<StageList>(
    apiClient.GET('/api/stages', {
      params: { query: compact({ business_id: businessId, agent_id: agentId, per_page: 100 }) },
    }),
  );
}

export function useStages(businessId: string | null, agentId?: string | null) {
  return useQuery({
    queryKey: ['stages', businessId, { agentId: agentId ?? null }],
    queryFn: () => listStages(businessId as string, agentId),
    enabled: !!businessId,
  });
}
