import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

export function updateAgent(_businessId: string, agentId: string, agentName: string) {
  return unwrap(
    apiClient.PUT('/api/agents/{agent_id}', {
      params: { path: { agent_id: agentId } },
      body: { agent_name: agentName },
    }),
  );
}

export function useUpdateAgent(businessId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ agentId, agentName }: { agentId: string; agentName: string }) =>
      updateAgent(businessId, agentId, agentName),
    onSuccess: () => qc.invalidateQueries({ queryKey: qk.agents.all(businessId) }),
  });
}
