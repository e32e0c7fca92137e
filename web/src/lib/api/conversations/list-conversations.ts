import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiClient, compact, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

export interface ConversationFilters {
  status?: 'active' | 'closed';
  stage_id?: string;
  user_id?: string;
  q?: string;
  from?: string;
  to?: string;
  /** Collected-data filters, sent as `data.<key>=<value>`. */
  data?: Record<string, string>;
  page?: number;
  per_page?: number;
}

export function listConversations(businessId: string, filters: ConversationFilters = {}) {
  const { data, ...rest } = filters;
  const dataQuery: Record<string, string> = {};
  for (const [k, v] of Object.entries(data ?? {})) if (k.trim()) dataQuery[`data.${k.trim()}`] = v;
  return unwrap(
    apiClient.GET('/api/conversations', {
      params: { query: compact({ business_id: businessId, ...rest, ...dataQuery }) },
    }),
  );
}

export function useConversations(
  businessId: string | null,
  filters: ConversationFilters = {},
  { refetchInterval }: { refetchInterval?: number } = {},
) {
  return useQuery({
    queryKey: qk.conversations.list(businessId, filters),
    queryFn: () => listConversations(businessId as string, filters),
    enabled: !!businessId,
    placeholderData: keepPreviousData,
    refetchInterval,
  });
}
