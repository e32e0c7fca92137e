import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

export function deleteAgent(_businessId: string, agentId: string) {
  return unwrap(
    apiClient.DELETE('/api/agents/{agent_id}', {
      params: { path: { agent_id: agentId } },
    }),
  );
}

export function useDeleteAgent(businessId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (agentId: string) => deleteAgent(businessId, agentId),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: qk.agents.all(businessId) });
      qc.invalidateQueries({ queryKey: qk.stages.all(businessId) });
    },
  });
}
