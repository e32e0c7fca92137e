import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiClient, compact, unwrap } from '@/lib/api/client';
import type { AuditLogQuery } from '@/lib/api/models';
import { qk } from '@/lib/api/query-keys';

export function listAuditLog(businessId: string, filters: AuditLogQuery = {}) {
  return unwrap(
    apiClient.GET('/api/businesses/{business_id}/audit-log', {
      params: { path: { business_id: businessId }, query: compact({ ...filters }) },
    }),
  );
}

export function useAuditLog(businessId: string | null, filters: AuditLogQuery = {}) {
  return useQuery({
    queryKey: qk.audit.list(businessId, filters),
    queryFn: () => listAuditLog(businessId as string, filters),
    enabled: !!businessId,
    placeholderData: keepPreviousData,
    // Every change elsewhere in the app adds an entry: never show a cached log when the page opens.
    staleTime: 0,
  });
}
