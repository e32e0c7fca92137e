import { Alert, Button } from '@mui/material';
import { Link as RouterLink, useLocation } from 'react-router-dom';
import { useLlmUsage } from '@/lib/api/analytics/get-llm-usage';
import { useCan } from '@/lib/auth/permissions';
import { useBusinessId } from '@/lib/auth/session';
import { formatCost, formatUtcDate } from '@/lib/format';
import { paths } from '@/lib/paths';

/** On every page of a business that has spent its monthly LLM budget: customers get the offline engine. */
export function BudgetBanner() {
  const businessId = useBusinessId();
  const read = useCan('conversations.read');
  const edit = useCan('settings.edit');
  const { pathname } = useLocation();
  const usage = useLlmUsage(businessId, read.allowed);
  if (!usage.data?.at_budget) return null;
  const onSettings = pathname === paths.settings();
  return (
    <Alert
      severity="error"
      role="status"
      sx={{ mb: 2 }}
      action={
        edit.allowed && !onSettings ? (
          <Button component={RouterLink} to={`${paths.settings()}#llm-budget`} color="inherit" size="small">
            Raise the budget
          </Button>
        ) : undefined
      }
    >
      This business has spent its monthly LLM budget ({formatCost(usage.data.spent_usd)} of{' '}
      {formatCost(usage.data.budget_usd)}). Customers are answered by the <strong>offline engine</strong>{' '}
      until {formatUtcDate(usage.data.resets_at)}
      {edit.allowed ? ' or until the budget is raised.' : '. An owner or editor can raise the budget.'}
    </Alert>
  );
}
