import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

export function createAgent(businessId: string, agentName: string) {
  return unwrap(apiClient.POST('/api/agents', { body: { business_id: businessId, agent_name: agentName } }));
}

export function useCreateAgent(businessId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (agentName: string) => createAgent(businessId, agentName),
    onSuccess: () => qc.invalidateQueries({ queryKey: qk.agents.all(businessId) }),
  });
}
