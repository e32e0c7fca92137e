import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import type { ResponseOf } from '@/lib/api/models';
import type { components } from '@/lib/api/schema';

export type TestCase = ResponseOf<'/api/test-cases/{test_case_id}', 'get'>;
export type TestCaseDraft = ResponseOf<'/api/test-cases/from-turn', 'post'>;
export type TestCaseInput = components['schemas']['CreateTestCaseBody'];
export type TestExpectations = TestCase['expectations'];
export type TestRun = ResponseOf<'/api/test-runs', 'get'>['test_runs'][number];
export type TestRunDetail = ResponseOf<'/api/test-runs/{test_run_id}', 'get'>;
export type TestRunComparison = ResponseOf<'/api/test-runs/compare', 'get'>;
export type StartTestRunInput = components['schemas']['CreateTestRunBody'];

const keys = {
  all: (businessId: string) => ['golden-tests', businessId] as const,
  cases: (businessId: string, stageId: string | undefined) =>
    ['golden-tests', businessId, 'cases', stageId ?? null] as const,
  runs: (businessId: string) => ['golden-tests', businessId, 'runs'] as const,
  run: (businessId: string, runId: string) => ['golden-tests', businessId, 'run', runId] as const,
  compare: (businessId: string, base: string, head: string) =>
    ['golden-tests', businessId, 'compare', base, head] as const,
};

export function useTestCases(businessId: string, stageId?: string) {
  return useQuery({
    queryKey: keys.cases(businessId, stageId),
    queryFn: () =>
      unwrap(
        apiClient.GET('/api/test-cases', {
          params: { query: { business_id: businessId, stage_id: stageId, per_page: 100 } },
        }),
      ),
  });
}

/** Create (no id) or change (id) a test case. */
export function useSaveTestCase(businessId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id?: string; input: TestCaseInput }) => {
      if (id) {
        const { business_id: _b, source_message_id: _s, ...change } = input;
        return unwrap(
          apiClient.PATCH('/api/test-cases/{test_case_id}', {
            params: { path: { test_case_id: id } },
            body: change,
          }),
        );
      }
      return unwrap(apiClient.POST('/api/test-cases', { body: { ...input, business_id: businessId } }));
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.all(businessId) }),
  });
}

export function useDeleteTestCase(businessId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(apiClient.DELETE('/api/test-cases/{test_case_id}', { params: { path: { test_case_id: id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.all(businessId) }),
  });
}

export function useTestRuns(businessId: string) {
  return useQuery({
    queryKey: keys.runs(businessId),
    queryFn: () =>
      unwrap(
        apiClient.GET('/api/test-runs', { params: { query: { business_id: businessId, per_page: 50 } } }),
      ),
  });
}

export function useStartTestRun(businessId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: StartTestRunInput) =>
      unwrap(apiClient.POST('/api/test-runs', { body: { ...input, business_id: businessId } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.runs(businessId) }),
  });
}

/** A run; polled every second while it is queued or running. */
export function useTestRun(businessId: string, runId: string | null) {
  const qc = useQueryClient();
  return useQuery({
    queryKey: keys.run(businessId, runId ?? ''),
    enabled: !!runId,
    queryFn: async () => {
      const run = await unwrap(
        apiClient.GET('/api/test-runs/{test_run_id}', { params: { path: { test_run_id: runId as string } } }),
      );
      if (run.status === 'completed' || run.status === 'failed') {
        void qc.invalidateQueries({ queryKey: keys.runs(businessId) });
      }
      return run;
    },
    refetchInterval: (query) => {
      const status = query.state.data?.status;
      return status === 'queued' || status === 'running' ? 1000 : false;
    },
  });
}

export function useCompareTestRuns(businessId: string, base: string | null, head: string | null) {
  return useQuery({
    queryKey: keys.compare(businessId, base ?? '', head ?? ''),
    enabled: !!base && !!head,
    queryFn: () =>
      unwrap(
        apiClient.GET('/api/test-runs/compare', {
          params: { query: { business_id: businessId, base: base as string, head: head as string } },
        }),
      ),
  });
}
