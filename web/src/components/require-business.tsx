import { Button } from '@mui/material';
import type { ReactNode } from 'react';
import { Link as RouterLink } from 'react-router-dom';
import { useSession } from '@/lib/auth/session';
import { paths } from '@/lib/paths';
import { EmptyState } from './empty-state';

/** Business-scoped pages render their children only once a business is chosen. */
export function RequireBusiness({ children }: { children: (businessId: string) => ReactNode }) {
  const { businessId, isAdmin } = useSession();
  if (businessId) return <>{children(businessId)}</>;
  return (
    <EmptyState
      title="Choose a business"
      description={
        isAdmin
          ? 'You are signed in with the master key. Pick a business in the switcher at the top, or create one.'
          : 'No business is linked to this key.'
      }
      action={
        isAdmin ? (
          <Button component={RouterLink} to={paths.businesses()} variant="contained">
            Go to Businesses
          </Button>
        ) : undefined
      }
    />
  );
}
