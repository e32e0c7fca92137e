import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

const path = (businessId: string) => ({ params: { path: { business_id: businessId } } });

export function useReleases(businessId: string) {
  return useQuery({
    queryKey: qk.releases.list(businessId),
    queryFn: () => unwrap(apiClient.GET('/api/businesses/{business_id}/releases', path(businessId))),
    staleTime: 0,
  });
}

/** Whether the draft differs from the published release: the layout's "publish" hint. */
export function useReleaseStatus(businessId: string | null, enabled = true) {
  return useQuery({
    queryKey: qk.releases.status(businessId),
    queryFn: () =>
      unwrap(apiClient.GET('/api/businesses/{business_id}/releases/status', path(businessId as string))),
    enabled: enabled && !!businessId,
    staleTime: 0,
    refetchInterval: 30_000,
  });
}

/** `from`/`to`: `draft`, `published` or a release number. */
export function useReleaseDiff(businessId: string, from: string, to: string, enabled = true) {
  return useQuery({
    queryKey: qk.releases.diff(businessId, from, to),
    queryFn: () =>
      unwrap(
        apiClient.GET('/api/businesses/{business_id}/releases/diff', {
          params: { path: { business_id: businessId }, query: { from, to } },
        }),
      ),
    enabled: enabled && from !== to,
    staleTime: 0,
  });
}

export function usePublishRelease(businessId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (note: string) =>
      unwrap(
        apiClient.POST('/api/businesses/{business_id}/releases', {
          ...path(businessId),
          body: { note },
        }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: qk.releases.all(businessId) }),
  });
}

/** Restoring rewrites the draft's stages and templates too. */
export function useRestoreRelease(businessId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (number: number) =>
      unwrap(
        apiClient.POST('/api/businesses/{business_id}/releases/{number}/restore', {
          params: { path: { business_id: businessId, number } },
          body: {},
        }),
      ),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: qk.releases.all(businessId) });
      qc.invalidateQueries({ queryKey: qk.stages.all(businessId) });
      qc.invalidateQueries({ queryKey: qk.templates.all(businessId) });
    },
  });
}
