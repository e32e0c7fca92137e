import { Box, Paper, Skeleton, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import type { AnalyticsOverview } from '@/lib/api/models';
import { formatCost, formatCount, formatMs } from '@/lib/format';
import { formatPercent } from './format';

interface Kpi {
  label: string;
  value: string;
  hint?: ReactNode;
  tone?: 'error' | 'warning';
}

function kpisOf({ totals, llm }: AnalyticsOverview): Kpi[] {
  const replies = totals.assistant_messages;
  return [
    {
      label: 'Conversations',
      value: formatCount(totals.conversations),
      hint: `${formatCount(totals.new_conversations)} new · ${formatCount(totals.active_conversations)} active`,
    },
    {
      label: 'Messages',
      value: formatCount(totals.messages),
      hint: `${formatCount(totals.user_messages)} from customers · ${formatCount(replies)} replies${
        totals.agent_messages ? ` · ${formatCount(totals.agent_messages)} by agents` : ''
      }`,
    },
    { label: 'Users', value: formatCount(totals.users), hint: 'Distinct customers' },
    {
      label: 'Fallback replies',
      value: formatCount(totals.fallback_replies),
      hint: replies ? `${formatPercent(totals.fallback_replies / replies)} of replies` : 'No replies yet',
      tone: totals.fallback_replies > 0 ? 'warning' : undefined,
    },
    {
      label: 'LLM calls',
      value: formatCount(llm.calls),
      hint: totals.ai_stopped_messages
        ? `${formatCount(totals.ai_stopped_messages)} messages not answered (AI stopped)`
        : undefined,
    },
    {
      label: 'Error rate',
      value: formatPercent(llm.error_rate),
      hint: `${formatCount(llm.errors)} failed ${llm.errors === 1 ? 'call' : 'calls'}`,
      tone: llm.errors > 0 ? 'error' : undefined,
    },
    { label: 'Latency p50', value: formatMs(llm.latency_ms.p50), hint: 'Median LLM call' },
    {
      label: 'Latency p95',
      value: formatMs(llm.latency_ms.p95),
      hint: llm.latency_ms.p99 === null ? undefined : `p99 ${formatMs(llm.latency_ms.p99)}`,
    },
    {
      label: 'Tokens',
      value: formatCount(llm.tokens_in + llm.tokens_out),
      hint: `${formatCount(llm.tokens_in)} in · ${formatCount(llm.tokens_out)} out`,
    },
    { label: 'Cost', value: formatCost(llm.cost_usd), hint: 'USD, as logged per call' },
  ];
}

const GRID = {
  display: 'grid',
  gap: 1.5,
  gridTemplateColumns: 'repeat(auto-fill, minmax(170px, 1fr))',
  m: 0,
  p: 0,
} as const;

/** The headline numbers. Each card is a labelled group so the label and its value are read together. */
export function KpiCards({ data }: { data: AnalyticsOverview }) {
  return (
    <Box component="section" aria-label="Key figures" sx={{ ...GRID, mb: 2 }}>
      {kpisOf(data).map((k) => (
        <Paper key={k.label} role="group" aria-label={k.label} sx={{ p: 1.5, minWidth: 0 }}>
          <Typography variant="body2" color="text.secondary" component="div" noWrap>
            {k.label}
          </Typography>
          <Typography
            variant="h2"
            component="div"
            sx={{
              fontSize: '1.6rem',
              mt: 0.25,
              color: k.tone === 'error' ? 'error.main' : k.tone === 'warning' ? 'warning.dark' : undefined,
            }}
          >
            {k.value}
          </Typography>
          {k.hint && (
            <Typography variant="caption" color="text.secondary" component="div">
              {k.hint}
            </Typography>
          )}
        </Paper>
      ))}
    </Box>
  );
}

export function KpiSkeleton() {
  return (
    <Box aria-hidden sx={{ ...GRID, mb: 2 }}>
      {Array.from({ length: 10 }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: static placeholders
        <Paper key={i} sx={{ p: 1.5 }}>
          <Skeleton width="60%" />
          <Skeleton width="40%" height={38} />
          <Skeleton width="80%" />
        </Paper>
      ))}
    </Box>
  );
}
