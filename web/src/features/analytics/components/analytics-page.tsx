import {
  Box,
  Button,
  FormControlLabel,
  LinearProgress,
  Paper,
  Skeleton,
  Switch,
  ToggleButton,
  ToggleButtonGroup,
} from '@mui/material';
import { Link as RouterLink, useSearchParams } from 'react-router-dom';
import { EmptyState } from '@/components/empty-state';
import { ErrorAlert } from '@/components/error-alert';
import { TopProgress } from '@/components/loading';
import { PageHeader } from '@/components/page-header';
import { RequireBusiness } from '@/components/require-business';
import {
  DEFAULT_RANGE_DAYS,
  RANGE_OPTIONS,
  type RangeDays,
  useAnalyticsOverview,
} from '@/lib/api/analytics/get-analytics-overview';
import { useStageAnalytics } from '@/lib/api/analytics/get-stage-analytics';
import { formatUtcDate } from '@/lib/format';
import { paths } from '@/lib/paths';
import { FillRates } from './fill-rates';
import { KpiCards, KpiSkeleton } from './kpi-cards';
import { LlmStepsTable } from './llm-steps-table';
import { PerDayChart } from './per-day-chart';
import { StageFunnel } from './stage-funnel';
import { StageInsightsTable } from './stage-insights-table';

export function AnalyticsPage() {
  return (
    <RequireBusiness>
      {(businessId) => <Analytics key={businessId} businessId={businessId} />}
    </RequireBusiness>
  );
}

function parseDays(value: string | null): RangeDays {
  const n = Number(value);
  return (RANGE_OPTIONS as readonly number[]).includes(n) ? (n as RangeDays) : DEFAULT_RANGE_DAYS;
}

const TWO_COLUMNS = {
  display: 'grid',
  gap: 2,
  mb: 2,
  gridTemplateColumns: { xs: 'minmax(0, 1fr)', lg: 'repeat(2, minmax(0, 1fr))' },
} as const;

function Analytics({ businessId }: { businessId: string }) {
  const [params, setParams] = useSearchParams();
  const days = parseDays(params.get('days'));
  const includeSimulator = params.get('simulator') === '1';
  const overview = useAnalyticsOverview(businessId, days, includeSimulator);
  const stageInsights = useStageAnalytics(businessId, days, includeSimulator);
  const data = overview.data;

  function selectDays(next: RangeDays | null) {
    if (!next) return;
    const p = new URLSearchParams(params);
    if (next === DEFAULT_RANGE_DAYS) p.delete('days');
    else p.set('days', String(next));
    setParams(p, { replace: true });
  }

  function toggleSimulator(on: boolean) {
    const p = new URLSearchParams(params);
    if (on) p.set('simulator', '1');
    else p.delete('simulator');
    setParams(p, { replace: true });
  }

  const noTraffic =
    !!data && data.totals.conversations === 0 && data.totals.messages === 0 && data.llm.calls === 0;

  return (
    <>
      <PageHeader
        title="Analytics"
        subtitle={
          data
            ? `${formatUtcDate(data.from)} – ${formatUtcDate(data.to)} (days in UTC)`
            : 'Traffic, stages, LLM usage and collected data of your assistant.'
        }
        actions={
          <>
            <FormControlLabel
              control={
                <Switch checked={includeSimulator} onChange={(e) => toggleSimulator(e.target.checked)} />
              }
              label="Include simulator chats"
            />
            <ToggleButtonGroup
              exclusive
              size="small"
              color="primary"
              value={days}
              onChange={(_, v: RangeDays | null) => selectDays(v)}
              aria-label="Date range"
            >
              {RANGE_OPTIONS.map((d) => (
                <ToggleButton key={d} value={d} sx={{ px: 1.5, textTransform: 'none' }}>
                  Last {d} days
                </ToggleButton>
              ))}
            </ToggleButtonGroup>
          </>
        }
      />
      <ErrorAlert error={overview.error} onRetry={() => overview.refetch()} />
      {overview.isLoading ? (
        <AnalyticsSkeleton />
      ) : !data ? null : noTraffic ? (
        <EmptyState
          title={`No traffic in the last ${days} days`}
          description={
            includeSimulator
              ? 'Send a message in the Simulator to see numbers here.'
              : 'Customers’ conversations count here; the simulator’s test chats only with “Include simulator chats”.'
          }
          action={
            includeSimulator ? (
              <Button component={RouterLink} to={paths.simulator()} variant="contained">
                Open the Simulator
              </Button>
            ) : (
              <Button variant="outlined" onClick={() => toggleSimulator(true)}>
                Include simulator chats
              </Button>
            )
          }
        />
      ) : (
        <Box aria-busy={overview.isFetching}>
          <TopProgress active={overview.isFetching && overview.isPlaceholderData} />
          <KpiCards data={data} />
          <Box sx={{ mb: 2 }}>
            <PerDayChart days={data.per_day} />
          </Box>
          <Box sx={TWO_COLUMNS}>
            <StageFunnel stages={data.stage_funnel} />
            <FillRates extraction={data.extraction} />
          </Box>
          {stageInsights.data ? (
            <StageInsightsTable
              stages={stageInsights.data.stages}
              quietHours={stageInsights.data.quiet_hours}
            />
          ) : (
            <ErrorAlert error={stageInsights.error} onRetry={() => stageInsights.refetch()} />
          )}
          <LlmStepsTable llm={data.llm} />
        </Box>
      )}
    </>
  );
}

function AnalyticsSkeleton() {
  return (
    <Box>
      <LinearProgress aria-label="Loading analytics" sx={{ mb: 2 }} />
      <KpiSkeleton />
      <Paper sx={{ p: 2, mb: 2 }} aria-hidden>
        <Skeleton width={180} height={32} />
        <Skeleton variant="rounded" height={260} />
      </Paper>
      <Box sx={TWO_COLUMNS} aria-hidden>
        <Paper sx={{ p: 2 }}>
          <Skeleton width={140} height={32} />
          <Skeleton variant="rounded" height={180} />
        </Paper>
        <Paper sx={{ p: 2 }}>
          <Skeleton width={160} height={32} />
          <Skeleton variant="rounded" height={180} />
        </Paper>
      </Box>
    </Box>
  );
}
