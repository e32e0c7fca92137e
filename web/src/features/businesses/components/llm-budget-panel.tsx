import {
  Button,
  CircularProgress,
  InputAdornment,
  LinearProgress,
  Paper,
  Stack,
  TextField,
  Typography,
} from '@mui/material';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { useLocation } from 'react-router-dom';
import { ErrorAlert } from '@/components/error-alert';
import { ReadOnlyFieldset } from '@/components/read-only-fieldset';
import { useLlmUsage } from '@/lib/api/analytics/get-llm-usage';
import { useUpdateBusiness } from '@/lib/api/businesses/update-business';
import { fieldErrorsOf } from '@/lib/api/errors';
import type { LlmUsage } from '@/lib/api/models';
import { qk } from '@/lib/api/query-keys';
import { useCan } from '@/lib/auth/permissions';
import { formatCost, formatCount, formatUtcDate } from '@/lib/format';

const monthName = new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' });

/** This month's LLM spend against the business's budget, and the budget itself (empty: none). */
export function LlmBudgetPanel({ businessId, budget }: { businessId: string; budget: number | null }) {
  const usage = useLlmUsage(businessId);
  const edit = useCan('settings.edit');
  const update = useUpdateBusiness(businessId);
  const qc = useQueryClient();
  const [value, setValue] = useState(budget === null ? '' : String(budget));
  useEffect(() => setValue(budget === null ? '' : String(budget)), [budget]);
  const { hash } = useLocation();
  // The budget banner's "Raise the budget" links here.
  useEffect(() => {
    if (hash === '#llm-budget') document.getElementById('llm-budget')?.scrollIntoView?.({ block: 'start' });
  }, [hash]);
  const fe = fieldErrorsOf(update.error);
  const parsed = value.trim() === '' ? null : Number(value);
  const invalid = parsed !== null && (!Number.isFinite(parsed) || parsed < 0);
  const unchanged = parsed === budget;

  function save(next: number | null) {
    update.mutate(
      { settings: { llm_budget_usd: next } },
      { onSuccess: () => qc.invalidateQueries({ queryKey: qk.analytics.llmUsage(businessId) }) },
    );
  }
  function submit(e: FormEvent) {
    e.preventDefault();
    if (!invalid) save(parsed);
  }

  return (
    <Paper
      id="llm-budget"
      component="section"
      aria-labelledby="llm-budget-title"
      sx={{ p: { xs: 2, sm: 3 } }}
    >
      <Typography id="llm-budget-title" variant="h2" component="h2" gutterBottom>
        LLM budget
      </Typography>
      {usage.error ? <ErrorAlert error={usage.error} onRetry={() => usage.refetch()} /> : null}
      {usage.data ? (
        <Spend usage={usage.data} />
      ) : usage.isLoading ? (
        <LinearProgress aria-label="Loading spend" />
      ) : null}
      <ReadOnlyFieldset reason={edit.reason}>
        <Stack
          component="form"
          onSubmit={submit}
          noValidate
          direction={{ xs: 'column', sm: 'row' }}
          spacing={2}
          sx={{ mt: 2, alignItems: { sm: 'flex-start' } }}
        >
          <TextField
            label="Monthly budget"
            name="llm_budget_usd"
            value={value}
            onChange={(e) => setValue(e.target.value)}
            inputMode="decimal"
            error={invalid || !!fe['settings.llm_budget_usd']}
            helperText={
              invalid
                ? 'A number of dollars, 0 or more.'
                : (fe['settings.llm_budget_usd'] ??
                  'USD per calendar month (UTC). At it, the offline engine answers customers. Empty: no budget.')
            }
            slotProps={{ input: { startAdornment: <InputAdornment position="start">$</InputAdornment> } }}
            sx={{ maxWidth: 360 }}
            fullWidth
          />
          <Button
            type="submit"
            variant="contained"
            disabled={update.isPending || invalid || unchanged}
            startIcon={update.isPending ? <CircularProgress size={16} color="inherit" /> : undefined}
            sx={{ mt: { sm: 1 } }}
          >
            Save budget
          </Button>
          {budget !== null && (
            <Button onClick={() => save(null)} disabled={update.isPending} sx={{ mt: { sm: 1 } }}>
              Remove budget
            </Button>
          )}
        </Stack>
        <ErrorAlert error={update.error} />
      </ReadOnlyFieldset>
    </Paper>
  );
}

function Spend({ usage }: { usage: LlmUsage }) {
  const share = usage.budget_usd ? Math.min(1, usage.spent_usd / usage.budget_usd) : usage.at_budget ? 1 : 0;
  return (
    <Stack spacing={1}>
      <Typography>
        Spent in {monthName.format(new Date(usage.resets_at).getTime() - 1)}:{' '}
        <strong>{formatCost(usage.spent_usd)}</strong>
        {usage.budget_usd !== null && <> of {formatCost(usage.budget_usd)}</>} · {formatCount(usage.calls)}{' '}
        LLM calls
      </Typography>
      {usage.budget_usd !== null && (
        <LinearProgress
          variant="determinate"
          value={share * 100}
          color={usage.at_budget ? 'error' : share >= 0.8 ? 'warning' : 'primary'}
          aria-label="Share of the monthly budget spent"
        />
      )}
      <Typography variant="body2" color={usage.at_budget ? 'error' : 'text.secondary'}>
        {usage.at_budget
          ? `Budget reached: the offline engine answers customers until ${formatUtcDate(usage.resets_at)}, or until the budget is raised.`
          : usage.budget_usd !== null
            ? `${formatCost(usage.remaining_usd)} left; the month resets on ${formatUtcDate(usage.resets_at)}.`
            : 'No budget: the model answers whatever it costs.'}
      </Typography>
    </Stack>
  );
}
