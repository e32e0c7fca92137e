import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { ConversationChannel, InboxConversationSummary } from '@/lib/api/inbox-models';
import { qk } from '@/lib/api/query-keys';
import { requestJson } from '@/lib/api/request';
import { usePollWithoutStream } from '@/lib/live/poll-without-stream';

export interface ConversationFilters {
  status?: 'active' | 'closed';
  stage_id?: string;
  user_id?: string;
  channel?: ConversationChannel;
  /** An account id, `me` (the caller) or `none` (unassigned). */
  assignee_id?: string;
  waiting?: boolean;
  q?: string;
  from?: string;
  to?: string;
  /** Collected-data filters, sent as `data.<key>=<value>`. */
  data?: Record<string, string>;
  page?: number;
  per_page?: number;
}

export interface ConversationPage {
  conversations: InboxConversationSummary[];
  total: number;
  page: number;
  per_page: number;
}

/** The list's filters as a query string (`data.<key>=<value>` for collected data). */
function listQuery(businessId: string, filters: ConversationFilters) {
  const { data, ...rest } = filters;
  const query: Record<string, string | number | boolean | undefined> = { business_id: businessId, ...rest };
  for (const [k, v] of Object.entries(data ?? {})) if (k.trim()) query[`data.${k.trim()}`] = v;
  return query;
}

/**
 * The CSV export of the conversations these filters match (GET /api/conversations/export): a plain
 * same-origin link, so the browser downloads it with the session cookie — no key in the URL.
 */
export function conversationsExportUrl(
  businessId: string,
  filters: ConversationFilters,
  columns: string[] = [],
) {
  const { page: _page, per_page: _perPage, ...rest } = filters;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(listQuery(businessId, rest)))
    if (v !== undefined && v !== '') params.set(k, String(v));
  if (columns.length > 0) params.set('columns', columns.join(','));
  return `/api/conversations/export?${params}`;
}

/** Simulator conversations come only with `channel: 'simulator'` (the server leaves them out otherwise). */
export function listConversations(businessId: string, filters: ConversationFilters = {}) {
  return requestJson<ConversationPage>('GET', '/api/conversations', {
    query: listQuery(businessId, filters),
  });
}

/** Kept fresh by the live events (lib/live), not by polling. */
export function useConversations(
  businessId: string | null,
  filters: ConversationFilters = {},
  { enabled = true }: { enabled?: boolean } = {},
) {
  const refetchInterval = usePollWithoutStream();
  return useQuery({
    refetchInterval,
    queryKey: qk.conversations.list(businessId, filters),
    queryFn: () => listConversations(businessId as string, filters),
    enabled: enabled && !!businessId,
    placeholderData: keepPreviousData,
  });
}
