import { Button, Chip } from '@mui/material';
import { useEffect } from 'react';
import { Link as RouterLink, useLocation } from 'react-router-dom';
import { useReleaseStatus } from '@/lib/api/releases/releases';
import { useCan } from '@/lib/auth/permissions';
import { useBusinessId } from '@/lib/auth/session';
import { paths } from '@/lib/paths';

/**
 * In the top bar, for those who may publish: "Draft changed — publish" while the draft differs from
 * what live traffic uses (or nothing is published yet). Checked again on every page change.
 */
export function DraftIndicator() {
  const businessId = useBusinessId();
  const publish = useCan('releases.publish');
  const status = useReleaseStatus(businessId, publish.allowed);
  const { pathname } = useLocation();
  const { refetch } = status;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a page change is the reason to look again
  useEffect(() => {
    if (publish.allowed && businessId) void refetch();
  }, [pathname]);
  if (!publish.allowed || !status.data?.draft_changed) return null;
  if (pathname === paths.releases()) {
    return <Chip size="small" color="warning" label="Draft changed" />;
  }
  return (
    <Button
      component={RouterLink}
      to={paths.releases()}
      size="small"
      color="warning"
      variant="outlined"
      sx={{ flexShrink: 0 }}
    >
      {status.data.published === null ? 'Not published — publish' : 'Draft changed — publish'}
    </Button>
  );
}
